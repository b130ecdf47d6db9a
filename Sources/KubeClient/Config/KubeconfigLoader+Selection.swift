import Foundation
import KubeCore
import NIOSSL

extension KubeconfigLoader {
    /// Builds the client configuration of a context.
    ///
    /// - Parameter context: the context to use; `nil` for `current-context`.
    /// - Throws: ``KubeconfigError`` naming the file and key at fault (a missing context, cluster or user, a
    ///   server that is not a URL, undecodable certificate data, conflicting authentication methods…).
    public func configuration(context name: String? = nil) throws(KubeconfigError) -> ClientConfiguration {
        let contextName = try selectedContextName(name)
        guard let context = contexts[contextName] else {
            let file = name == nil ? currentContext?.file : files.first
            let key = name == nil ? "current-context" : nil
            throw KubeconfigError(
                file: file, key: key,
                reason: "context \"\(contextName)\" not found (known: \(contextNames.joined(separator: ", ")))")
        }
        let cluster = try clusterEntry(for: context)
        let server = try serverURL(cluster)
        var configuration = ClientConfiguration(
            server: server, namespace: context.value.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            source: "kubeconfig \(files.joined(separator: ":")) (context \(contextName))")
        configuration.tls = try tlsSettings(cluster)
        configuration.proxy = try proxyURL(cluster)
        configuration.userName = context.value.user.flatMap { $0.isEmpty ? nil : $0 }
        if let user = try userEntry(for: context) {
            configuration.authentication = try authentication(user, cluster: cluster, server: server)
            try addClientCertificate(user, to: &configuration.tls)
        }
        return configuration
    }

    private func selectedContextName(_ name: String?) throws(KubeconfigError) -> String {
        if let name, !name.isEmpty { return name }
        guard let current = currentContext?.value else {
            throw KubeconfigError(
                file: files.joined(separator: ":"), key: "current-context",
                reason: "not set and no context was given (known contexts: \(contextNames.joined(separator: ", ")))")
        }
        return current
    }

    private func clusterEntry(for context: Sourced<Context>) throws(KubeconfigError) -> Sourced<Cluster> {
        guard let name = context.value.cluster, !name.isEmpty else {
            throw KubeconfigError(file: context.file, key: "\(context.key).cluster", reason: "required key is missing")
        }
        guard let cluster = clusters[name] else {
            throw KubeconfigError(file: context.file, key: "\(context.key).cluster", reason: "cluster \"\(name)\" not found")
        }
        return cluster
    }

    private func userEntry(for context: Sourced<Context>) throws(KubeconfigError) -> Sourced<User>? {
        guard let name = context.value.user, !name.isEmpty else { return nil }
        guard let user = users[name] else {
            throw KubeconfigError(file: context.file, key: "\(context.key).user", reason: "user \"\(name)\" not found")
        }
        return user
    }

    private func serverURL(_ cluster: Sourced<Cluster>) throws(KubeconfigError) -> URL {
        let key = "\(cluster.key).server"
        guard let text = cluster.value.server, !text.isEmpty else {
            throw KubeconfigError(file: cluster.file, key: key, reason: "required key is missing")
        }
        guard let url = URL(string: text), let scheme = url.scheme, ["https", "http"].contains(scheme), url.host != nil else {
            throw KubeconfigError(file: cluster.file, key: key, reason: "\"\(text)\" is not an http(s) URL")
        }
        return url
    }

    private func proxyURL(_ cluster: Sourced<Cluster>) throws(KubeconfigError) -> URL? {
        guard let text = cluster.value.proxyURL, !text.isEmpty else { return nil }
        guard let url = URL(string: text), url.scheme == "http", url.host != nil else {
            throw KubeconfigError(
                file: cluster.file, key: "\(cluster.key).proxy-url", reason: "\"\(text)\" is not an http:// proxy URL")
        }
        return url
    }

    private func tlsSettings(_ cluster: Sourced<Cluster>) throws(KubeconfigError) -> TLSSettings {
        var tls = TLSSettings(
            insecureSkipVerify: cluster.value.insecureSkipTLSVerify ?? false,
            serverName: cluster.value.tlsServerName.flatMap { $0.isEmpty ? nil : $0 })
        let pem = try PEMSource.load(
            data: cluster.value.certificateAuthorityData, dataKey: "\(cluster.key).certificate-authority-data",
            path: cluster.value.certificateAuthority, pathKey: "\(cluster.key).certificate-authority", file: cluster.file)
        if let pem {
            if tls.insecureSkipVerify {
                throw KubeconfigError(
                    file: cluster.file, key: "\(cluster.key).insecure-skip-tls-verify",
                    reason: "cannot be combined with a certificate authority")
            }
            tls.trustRoots = try pem.certificates()
        }
        return tls
    }

    private func addClientCertificate(_ user: Sourced<User>, to tls: inout TLSSettings) throws(KubeconfigError) {
        let certificate = try PEMSource.load(
            data: user.value.clientCertificateData, dataKey: "\(user.key).client-certificate-data",
            path: user.value.clientCertificate, pathKey: "\(user.key).client-certificate", file: user.file)
        let key = try PEMSource.load(
            data: user.value.clientKeyData, dataKey: "\(user.key).client-key-data",
            path: user.value.clientKey, pathKey: "\(user.key).client-key", file: user.file)
        switch (certificate, key) {
        case (nil, nil): return
        case (let certificate?, let key?):
            tls.clientCertificateChain = try certificate.certificates()
            tls.clientKey = try key.privateKey()
        case (let certificate?, nil):
            throw KubeconfigError(file: user.file, key: certificate.key, reason: "a client certificate needs a client key")
        case (nil, let key?):
            throw KubeconfigError(file: user.file, key: key.key, reason: "a client key needs a client certificate")
        }
    }

    private func authentication(
        _ user: Sourced<User>, cluster: Sourced<Cluster>, server: URL
    )
        throws(KubeconfigError) -> Authentication
    {
        let value = user.value
        if let provider = value.authProvider {
            throw KubeconfigError(
                file: user.file, key: "\(user.key).auth-provider",
                reason: "auth-provider \"\(provider.name ?? "")\" is not supported; use an exec credential plugin")
        }
        var methods: [String] = []
        if !(value.token ?? "").isEmpty || !(value.tokenFile ?? "").isEmpty { methods.append("token") }
        if !(value.username ?? "").isEmpty || !(value.password ?? "").isEmpty { methods.append("basic auth") }
        if value.exec != nil { methods.append("exec") }
        guard methods.count <= 1 else {
            throw KubeconfigError(
                file: user.file, key: user.key,
                reason: "more than one authentication method (\(methods.joined(separator: ", "))); only one is allowed")
        }
        if let token = value.token, !token.isEmpty { return .bearerToken(token) }
        if let path = value.tokenFile, !path.isEmpty { return .tokenFile(path: path) }
        if let username = value.username, !username.isEmpty { return .basic(username: username, password: value.password ?? "") }
        if let exec = value.exec { return try execAuthentication(exec, user: user, cluster: cluster, server: server) }
        return .none
    }

    private func execAuthentication(
        _ exec: ExecConfig, user: Sourced<User>, cluster: Sourced<Cluster>, server: URL
    )
        throws(KubeconfigError) -> Authentication
    {
        let key = "\(user.key).exec"
        guard let version = exec.apiVersion, ExecCredentialPlugin.supportedVersions.contains(version) else {
            throw KubeconfigError(
                file: user.file, key: "\(key).apiVersion",
                reason: "\"\(exec.apiVersion ?? "")\" is not supported (use \(ExecCredentialPlugin.supportedVersions.joined(separator: " or ")))")
        }
        if version == ExecCredentialPlugin.v1, exec.interactiveMode == nil {
            throw KubeconfigError(file: user.file, key: "\(key).interactiveMode", reason: "required for \(version)")
        }
        guard !exec.command.isEmpty else {
            throw KubeconfigError(file: user.file, key: "\(key).command", reason: "required key is missing")
        }
        var clusterInfo: JSONValue?
        if exec.provideClusterInfo == true {
            var info: JSONValue = ["server": .string(server.absoluteString)]
            info["tls-server-name"] = cluster.value.tlsServerName.map(JSONValue.string)
            info["insecure-skip-tls-verify"] = cluster.value.insecureSkipTLSVerify.map(JSONValue.bool)
            info["certificate-authority-data"] = cluster.value.certificateAuthorityData.map(JSONValue.string)
            clusterInfo = info
        }
        return .exec(exec, clusterInfo: clusterInfo)
    }
}
