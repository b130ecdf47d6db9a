import Foundation
import KubeCore

/// Runs an exec credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`) and reads its token.
///
/// ## Expected flow
/// 1. The command is found: a path as given (already made absolute against the kubeconfig's folder), or a
///    bare name looked up in `PATH`.
/// 2. It runs with the kubeconfig's `args` and `env` added to this process's environment, and
///    `KUBERNETES_EXEC_INFO` holding an `ExecCredential` request (`spec.interactive`, and `spec.cluster`
///    when `provideClusterInfo` is set).
/// 3. Its standard output must be an `ExecCredential` of the same `apiVersion` with `status.token`.
///
/// ## Interactive mode
/// An operator has no terminal, so standard input is never attached: `Never` and `IfAvailable` run
/// non-interactively, and `Always` fails with a clear error unless standard input is a terminal.
///
/// ## Caveats
/// Client certificates returned by a plugin (`status.clientCertificateData`) are not supported and are
/// reported as an error rather than ignored.
struct ExecCredentialPlugin: Sendable {
    static let v1 = "client.authentication.k8s.io/v1"
    static let v1beta1 = "client.authentication.k8s.io/v1beta1"
    static let supportedVersions = [v1, v1beta1]

    struct Credential: Sendable {
        var token: String
        var expiration: Date?
    }

    var config: ExecConfig
    var clusterInfo: JSONValue?
    var environment: [String: String] = ProcessInfo.processInfo.environment
    var stdinIsTerminal: Bool = isatty(STDIN_FILENO) == 1

    private var step: String { "run exec credential plugin \"\(config.command)\"" }

    func run() async throws -> Credential {
        let executable = try resolveExecutable()
        let interactive = try interactiveFlag()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = config.args ?? []
        var env = environment
        for variable in config.env ?? [] { env[variable.name] = variable.value }
        env["KUBERNETES_EXEC_INFO"] = execInfo(interactive: interactive).jsonString
        process.environment = env
        let output = try await ProcessRunner.run(process, step: step)
        guard output.status == 0 else {
            let stderr = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw CredentialError(step: step, reason: "exited with status \(output.status)\(stderr.isEmpty ? "" : ": \(stderr)")")
        }
        return try parse(output.stdout)
    }

    private func interactiveFlag() throws -> Bool {
        switch config.interactiveMode ?? .ifAvailable {
        case .never: return false
        case .ifAvailable: return false  // standard input is never attached (see the type's documentation)
        case .always:
            guard stdinIsTerminal else {
                throw CredentialError(step: step, reason: "interactiveMode is Always but standard input is not a terminal")
            }
            return true
        }
    }

    private func execInfo(interactive: Bool) -> JSONValue {
        var spec: JSONValue = ["interactive": .bool(interactive)]
        if let clusterInfo { spec["cluster"] = clusterInfo }
        return ["apiVersion": .string(config.apiVersion ?? ExecCredentialPlugin.v1beta1), "kind": "ExecCredential", "spec": spec]
    }

    func resolveExecutable() throws -> String {
        if config.command.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: config.command) else { throw notFound() }
            return config.command
        }
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = (String(folder) as NSString).appendingPathComponent(config.command)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw notFound()
    }

    private func notFound() -> CredentialError {
        var reason = "executable not found"
        if let hint = config.installHint, !hint.isEmpty { reason += "; \(hint)" }
        return CredentialError(step: step, reason: reason)
    }

    func parse(_ stdout: Data) throws -> Credential {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: stdout)
        } catch {
            throw CredentialError(step: step, reason: "its output is not an ExecCredential: \(error)")
        }
        guard json["kind"]?.stringValue == "ExecCredential" else {
            throw CredentialError(step: step, reason: "its output has kind \"\(json["kind"]?.stringValue ?? "")\", not ExecCredential")
        }
        guard json["apiVersion"]?.stringValue == config.apiVersion else {
            throw CredentialError(
                step: step,
                reason: "its output has apiVersion \"\(json["apiVersion"]?.stringValue ?? "")\", expected \"\(config.apiVersion ?? "")\"")
        }
        if json[path: "status", "clientCertificateData"] != nil {
            throw CredentialError(step: step, reason: "client certificates from exec plugins are not supported")
        }
        guard let token = json[path: "status", "token"]?.stringValue, !token.isEmpty else {
            throw CredentialError(step: step, reason: "its output has no status.token")
        }
        var expiration: Date?
        if let text = json[path: "status", "expirationTimestamp"]?.stringValue {
            guard let time = KubeTime(rfc3339: text) else {
                throw CredentialError(step: step, reason: "status.expirationTimestamp \"\(text)\" is not an RFC 3339 time")
            }
            expiration = time.date
        }
        return Credential(token: token, expiration: expiration)
    }
}
