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

    private func execute(_ arguments: [String], stdin: String?, environment: [String: String]) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl"] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let output = Pipe(), error = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        // SAFETY: the process and pipes are only used by the threads below after `run()`.
        nonisolated(unsafe) let running = process
        // Threads of their own, not Dispatch's pool: a blocking read there can starve (or, nested,
        // deadlock) a pool only as wide as the machine's cores, and everything else that uses it.
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                if let stdin {
                    input.fileHandleForWriting.write(Data(stdin.utf8))
                    try? input.fileHandleForWriting.close()  // kubectl may already have exited
                }
                let errorReader = BlockingRead(error.fileHandleForReading)
                let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let errorText = String(decoding: errorReader.wait(), as: UTF8.self)
                running.waitUntilExit()
                continuation.resume(returning: Result(status: running.terminationStatus, stdout: out, stderr: errorText))
            }
        }
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

/// Reads a file handle to its end on a thread of its own.
final class BlockingRead: @unchecked Sendable {
    // SAFETY: `data` is written by the reader thread before `done` is signalled, read only after waiting.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
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
        try await succeed(["apply", "-f", "-"], stdin: """
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
