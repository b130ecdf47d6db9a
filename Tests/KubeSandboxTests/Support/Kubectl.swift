import Foundation
import KubeSandbox

/// Real `kubectl`, pointed at a sandbox.
struct Kubectl: Sendable {
    struct Result: Sendable, CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    let kubeconfig: String
    let cacheDirectory: String

    init(_ sandbox: Sandbox) {
        kubeconfig = sandbox.kubeconfigPath
        cacheDirectory = NSTemporaryDirectory() + "kubectl-cache-\(sandbox.port)-\(UUID().uuidString)"
    }

    /// Runs `kubectl ARGS` with the sandbox's kubeconfig, optionally feeding `stdin`.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory] + arguments
        let output = Pipe(), error = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        // SAFETY: the process and pipes are only used by this one blocking read on a dispatch thread.
        nonisolated(unsafe) let running = process
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let group = DispatchGroup()
                nonisolated(unsafe) var errorText = ""
                group.enter()
                DispatchQueue.global().async {
                    errorText = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    group.leave()
                }
                let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                group.wait()
                running.waitUntilExit()
                continuation.resume(returning: Result(status: running.terminationStatus, stdout: out, stderr: errorText))
            }
        }
    }

    /// Runs kubectl and fails unless it exits 0.
    @discardableResult
    func succeed(_ arguments: [String], stdin: String? = nil) async throws -> String {
        let result = try await run(arguments, stdin: stdin)
        guard result.status == 0 else { throw KubectlFailure(arguments: arguments, result: result) }
        return result.stdout
    }

    /// Starts a long-running kubectl (such as `get -w`) and returns the process and its output pipe.
    func start(_ arguments: [String]) throws -> (Process, Pipe) {
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

struct KubectlFailure: Error, CustomStringConvertible {
    var arguments: [String]
    var result: Kubectl.Result
    var description: String { "kubectl \(arguments.joined(separator: " ")) failed: \(result)" }
}

/// Starts a sandbox for one test and stops it afterwards.
func withSandbox<T>(_ options: Sandbox.Options = Sandbox.Options(), _ body: (Sandbox) async throws -> T) async throws -> T {
    try await Sandbox.with(options, body)
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
