import Foundation

/// Runs a child process to completion without blocking Swift's cooperative threads.
enum ProcessRunner {
    struct Output: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    static func run(_ process: Process, step: String) async throws -> Output {
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CredentialError(step: step, reason: "cannot start: \(error.localizedDescription)")
        }
        // SAFETY: `process` is only touched from this one dispatch block after `run()`.
        nonisolated(unsafe) let running = process
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
                let group = DispatchGroup()
                nonisolated(unsafe) var errorData = Data()
                group.enter()
                DispatchQueue.global().async {
                    errorData = stderr.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                running.waitUntilExit()
                continuation.resume(
                    returning: Output(
                        status: running.terminationStatus, stdout: outputData,
                        stderr: String(decoding: errorData, as: UTF8.self)))
            }
        }
    }
}
