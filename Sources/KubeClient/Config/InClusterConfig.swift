import Foundation

/// The configuration of a pod's service account: `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` and the
/// files mounted under ``defaultDirectory``.
///
/// The token is referenced by path (``Authentication/tokenFile(path:)``), so rotated projected tokens are
/// picked up: the client re-reads the file at least once a minute.
public enum InClusterConfig {
    /// Where Kubernetes mounts the service-account token, CA bundle and namespace.
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"
    /// The environment variable naming the API server's host.
    public static let hostVariable = "KUBERNETES_SERVICE_HOST"
    /// The environment variable naming the API server's port.
    public static let portVariable = "KUBERNETES_SERVICE_PORT"

    /// Whether the process looks like it runs in a pod.
    public static func isAvailable(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        !(environment[hostVariable] ?? "").isEmpty && !(environment[portVariable] ?? "").isEmpty
    }

    /// Loads the in-cluster configuration.
    ///
    /// - Throws: ``KubeconfigError`` naming the variable or file at fault.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment, directory: String = defaultDirectory
    ) throws(KubeconfigError) -> ClientConfiguration {
        guard let host = environment[hostVariable], !host.isEmpty else {
            throw KubeconfigError(file: nil, key: hostVariable, reason: "not set: not running in a cluster")
        }
        guard let port = environment[portVariable], let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw KubeconfigError(file: nil, key: portVariable, reason: "not a port number: \"\(environment[portVariable] ?? "")\"")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6
        guard let server = URL(string: "https://\(hostPart):\(portNumber)") else {
            throw KubeconfigError(file: nil, key: hostVariable, reason: "not a host name: \"\(host)\"")
        }
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeconfigError(file: tokenPath, key: nil, reason: "the service-account token cannot be read")
        }
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        guard let ca = try PEMSource.load(data: nil, dataKey: "", path: caPath, pathKey: "ca.crt", file: caPath) else {
            throw KubeconfigError(file: caPath, key: nil, reason: "the service-account CA bundle cannot be read")
        }
        let namespacePath = (directory as NSString).appendingPathComponent("namespace")
        let namespace = FileManager.default.contents(atPath: namespacePath)
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        var configuration = ClientConfiguration(
            server: server, tls: TLSSettings(trustRoots: try ca.certificates()), authentication: .tokenFile(path: tokenPath),
            namespace: (namespace?.isEmpty ?? true) ? "default" : namespace!, source: "in-cluster")
        configuration.qps = 5
        return configuration
    }
}

extension ClientConfiguration {
    /// Finds the configuration an operator should use, in controller-runtime's order: `explicitKubeconfig`
    /// (`--kubeconfig`), then `KUBECONFIG`, then the in-cluster service account, then `~/.kube/config`.
    ///
    /// - Throws: ``KubeconfigError`` from the source that was chosen, or one that says none was found.
    public static func infer(
        explicitKubeconfig: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeconfigError) -> ClientConfiguration {
        if explicitKubeconfig != nil || !(environment["KUBECONFIG"] ?? "").isEmpty {
            return try KubeconfigLoader(explicitPath: explicitKubeconfig, environment: environment).configuration(context: context)
        }
        if InClusterConfig.isAvailable(environment: environment) {
            return try InClusterConfig.load(environment: environment)
        }
        return try KubeconfigLoader(explicitPath: nil, environment: environment).configuration(context: context)
    }
}
