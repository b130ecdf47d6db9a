import ChildProcesses
import Foundation

/// A temporary folder for one test, removed when the value is released.
final class TemporaryFolder: @unchecked Sendable {
    // SAFETY: immutable after init.
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "serin-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` to `name` inside the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ contents: String, executable: Bool = false) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: (path as NSString).appendingPathComponent(name), encoding: .utf8)
    }
}

/// Runs a command and fails the test setup if it does not exit 0.
@discardableResult
func run(_ arguments: [String], in folder: String) throws -> String {
    // posix_spawn (SpawnedProcess): Foundation's Process.run() can crash a test process with many open files.
    let log = (folder as NSString).appendingPathComponent(".run-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: log) }
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/null"))
    let process = try SpawnedProcess(
        path: "/usr/bin/env", arguments: ["-C", folder] + arguments, environment: ProcessInfo.processInfo.environment,
        standardInput: input.fileDescriptor, standardOutput: output.fileDescriptor, standardError: output.fileDescriptor)
    try? output.close()
    try? input.close()
    while process.isRunning { usleep(5_000) }
    let text = try String(contentsOfFile: log, encoding: .utf8)
    guard process.terminationStatus == 0 else {
        throw SetupError(description: "\(arguments.joined(separator: " ")) failed: \(text)")
    }
    return text
}

struct SetupError: Error, CustomStringConvertible { var description: String }

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
