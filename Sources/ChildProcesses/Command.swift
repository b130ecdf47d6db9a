import Foundation

/// A program run to completion the way tests and local tools need: output in files rather than pipes, a
/// polled exit with a deadline (``ProcessGroup/exitStatus(of:within:)``), and its process group ended when
/// the deadline passes or the caller is cancelled. No thread blocks on a read or on `waitUntilExit`.
///
/// ```swift
/// let result = try await Command("kubectl", ["get", "pods"]).run(within: .seconds(120))
/// ```
public struct Command: Sendable {
    /// A program name looked up in `PATH` (through `/usr/bin/env`), or a path.
    public var executable: String
    public var arguments: [String]
    /// Variables set on top of this process's environment.
    public var environment: [String: String] = [:]
    public var directory: URL?
    /// What the program reads; `nil` gives it an empty input.
    public var stdin: String?
    /// Whether standard error goes into the same file as standard output, interleaved as a terminal shows them.
    public var mergesErrors = false

    /// How a run ended.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        /// Empty when ``Command/mergesErrors`` is set.
        public var stderr: String
    }

    public init(_ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.stdin = stdin
        self.environment = environment
    }

    /// Runs the program until it exits, for at most `timeout` (then it is stopped and this throws ``ProcessTimeout``).
    public func run(within timeout: Duration) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serin-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = (
            input: folder.appendingPathComponent("stdin"), output: folder.appendingPathComponent("stdout"),
            errors: folder.appendingPathComponent("stderr")
        )
        for file in [files.input, files.output, files.errors] where !FileManager.default.createFile(atPath: file.path, contents: nil) {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        if let stdin { try Data(stdin.utf8).write(to: files.input) }
        let handles = try (
            input: FileHandle(forReadingFrom: files.input), output: FileHandle(forWritingTo: files.output),
            errors: FileHandle(forWritingTo: files.errors)
        )
        defer { for handle in [handles.input, handles.output, handles.errors] { try? handle.close() } }  // the child has its own
        // Through /usr/bin/env: it finds a bare name in PATH and enters `directory` (`-C`). Without `stdin` the
        // program reads the empty input file.
        let prefix = directory.map { ["-C", $0.path] } ?? []
        let inherited = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let process = try SpawnedProcess(
            path: "/usr/bin/env", arguments: prefix + [executable] + arguments, environment: inherited,
            standardInput: handles.input.fileDescriptor, standardOutput: handles.output.fileDescriptor,
            standardError: mergesErrors ? handles.output.fileDescriptor : handles.errors.fileDescriptor)
        let text = { (file: URL) in String(decoding: try Data(contentsOf: file), as: UTF8.self) }
        let status: Int32
        do {
            status = try await ProcessGroup.exitStatus(of: process, within: timeout)
        } catch var timedOut as ProcessTimeout {
            // What it printed so far says where it hung.
            let printed = (try text(files.output)) + (mergesErrors ? "" : try text(files.errors))
            timedOut.output = String(printed.suffix(2000))
            throw timedOut
        }
        return Result(status: status, stdout: try text(files.output), stderr: mergesErrors ? "" : try text(files.errors))
    }
}
