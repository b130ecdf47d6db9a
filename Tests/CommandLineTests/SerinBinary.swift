import ChildProcesses
import Foundation
import KubeSandbox
import Testing

/// The built `serin` binary (`make test` builds it before the tests), run as a user would.
enum SerinBinary {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url() throws -> URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory.appendingPathComponent("serin"), repository.appendingPathComponent(".build/debug/serin")]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw CommandLineTestFailure(
            description: "no serin binary next to \(directory.path): run `swift build --product serin` first (make test does)")
    }

    /// Starts `serin ARGS` in the repository with its output (stdout and stderr) in a file. Started with
    /// `posix_spawn` (``SpawnedProcess``), not Foundation's `Process.run()`, which crashes a test process with
    /// many open files (swift-corelibs-foundation#5472).
    static func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (SpawnedProcess, URL) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serin-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw CommandLineTestFailure(description: "failed to create the log \(log.path)")
        }
        let output = try FileHandle(forWritingTo: log)
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/null"))
        defer { for handle in [output, input] { try? handle.close() } }  // the child has its own
        let process = try SpawnedProcess(
            path: "/usr/bin/env", arguments: ["-C", repository.path, try url().path] + arguments,
            environment: ProcessInfo.processInfo.environment.merging(extra) { _, new in new }, standardInput: input.fileDescriptor,
            standardOutput: output.fileDescriptor, standardError: output.fileDescriptor)
        return (process, log)
    }

    /// Runs `serin ARGS` to completion: the exit status and the output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        var command = Command(try url().path, arguments, environment: environment)
        command.directory = repository
        command.mergesErrors = true
        let result = try await command.run(within: .seconds(300))
        return (result.status, result.stdout)
    }
}

struct CommandLineTestFailure: Error, CustomStringConvertible {
    var description: String
}
