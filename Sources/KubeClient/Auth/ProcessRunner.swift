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
        // SAFETY: `process` is only touched from these threads after `run()`.
        nonisolated(unsafe) let running = process
        // Threads of their own, not Dispatch's pool: blocking reads there can starve (nested, deadlock) a
        // pool only as wide as the machine's cores.
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
                let errorDone = DispatchSemaphore(value: 0)
                nonisolated(unsafe) var errorData = Data()
                Thread.detachNewThread {
                    errorData = stderr.fileHandleForReading.readDataToEndOfFile()
                    errorDone.signal()
                }
                let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
                errorDone.wait()
                running.waitUntilExit()
                continuation.resume(
                    returning: Output(
                        status: running.terminationStatus, stdout: outputData,
                        stderr: String(decoding: errorData, as: UTF8.self)))
            }
        }
    }
}
