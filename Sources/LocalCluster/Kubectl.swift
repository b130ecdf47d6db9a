import ChildProcesses
import Foundation
import KubeSandbox

/// Real `kubectl`, pointed at a sandbox.
public struct Kubectl: Sendable {
    public struct Result: Sendable, CustomStringConvertible {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    public let kubeconfig: String
    let cacheDirectory: String

    public init(_ sandbox: Sandbox) {
        kubeconfig = sandbox.kubeconfigPath
        cacheDirectory = NSTemporaryDirectory() + "kubectl-cache-\(sandbox.port)-\(UUID().uuidString)"
    }

    /// kubectl with another kubeconfig (a ServiceAccount's, from ``Sandbox/writeKubeconfig(serviceAccount:namespace:to:)``).
    public init(kubeconfig: String) {
        self.kubeconfig = kubeconfig
        cacheDirectory = NSTemporaryDirectory() + "kubectl-cache-\(UUID().uuidString)"
    }

    /// Runs `kubectl ARGS` with the sandbox's kubeconfig, optionally feeding `stdin`.
    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil) async throws -> Result {
        try await execute(["--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory] + arguments, stdin: stdin, environment: [:])
    }

    /// Runs the kubectl plugin `kubectl ARGS` (`kubectl serin get`) with `PATH` as kubectl's plugin search
    /// path: kubectl finds plugins only when no flag comes before their name, so the sandbox's kubeconfig
    /// goes through `KUBECONFIG`, as a user's would.
    public func runPlugin(_ arguments: [String], path: String) async throws -> Result {
        try await execute(arguments, stdin: nil, environment: ["KUBECONFIG": kubeconfig, "PATH": path])
    }

    /// How long one kubectl command may run before it is stopped and the call fails.
    public static let timeout: Duration = .seconds(120)

    private func execute(_ arguments: [String], stdin: String?, environment: [String: String]) async throws -> Result {
        // Files, not pipes, and a polled exit with a deadline: a kubectl that never ends fails its caller instead of hanging it.
        let result = try await Command("kubectl", arguments, stdin: stdin, environment: environment).run(within: Kubectl.timeout)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Runs kubectl and fails unless it exits 0.
    @discardableResult
    public func succeed(_ arguments: [String], stdin: String? = nil) async throws -> String {
        let result = try await run(arguments, stdin: stdin)
        guard result.status == 0 else { throw KubectlFailure(arguments: arguments, result: result) }
        return result.stdout
    }

    /// Starts a long-running kubectl (such as `get -w`) and returns the process and its output pipe.
    public func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return (process, output)
    }
}

public struct KubectlFailure: Error, CustomStringConvertible {
    var arguments: [String]
    var result: Kubectl.Result
    public var description: String { "kubectl \(arguments.joined(separator: " ")) failed: \(result)" }
}

extension Kubectl {
    /// Makes `http://<service>.<namespace>:<port>/` reach a process on this machine: the namespace, a
    /// selector-less Service and Endpoints at `127.0.0.1:<localPort>`, which the sandbox's proxy forwards.
    public func exposeOnLoopback(service: String, namespace: String, port: Int, localPort: Int) async throws {
        try await succeed(
            ["apply", "-f", "-"],
            stdin: """
                apiVersion: v1
                kind: Namespace
                metadata: {name: \(namespace)}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: \(service), namespace: \(namespace)}
                spec: {ports: [{name: http, port: \(port)}]}
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: \(service), namespace: \(namespace)}
                subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{name: http, port: \(localPort)}]}]
                """)
    }
}
