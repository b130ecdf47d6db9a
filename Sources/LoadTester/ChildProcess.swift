import ChildProcesses
import Foundation
import Synchronization

/// A command running in its own process group, so that stopping it also stops what it started
/// (`sh -c "hey …"` runs hey as a child of sh).
final class ChildProcess: Sendable {
    /// How a run ended.
    struct Exit: Sendable, Equatable {
        var status: Int32
        /// Ended by a signal (we stopped it, or it crashed).
        var signalled: Bool
        /// stdout and stderr, interleaved, the last ``ChildProcess/outputLimit`` bytes.
        var output: String
    }

    static let outputLimit = 64 * 1024

    /// What the termination handler shares with the waiters.
    private final class State: Sendable {
        let exit = Mutex<(done: Exit?, waiters: [CheckedContinuation<Exit, Never>])>((nil, []))
    }

    let pid: Int32
    private let process: SpawnedProcess
    private let state = State()

    /// Starts `executable` (a path or a name looked up in `PATH`) with `arguments`.
    ///
    /// The output goes to a temporary file read once the process exited: no pipe to drain, and a child the
    /// command left behind cannot keep the run from ending.
    /// Started with posix_spawn (``ChildProcesses/SpawnedProcess``, in a process group of its own): Foundation's
    /// `Process.run()` can crash a process with many open files. Its end is noticed by polling, every 20 ms.
    init(executable: String, arguments: [String], environment: [String: String]) throws {
        let path = executable.contains("/") ? executable : ChildProcess.lookUp(executable, in: environment["PATH"] ?? "") ?? executable
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serin-task-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil), let output = FileHandle(forWritingAtPath: log.path),
            let null = FileHandle(forReadingAtPath: "/dev/null")
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: log.path])
        }
        defer { for handle in [output, null] { try? handle.close() } }  // the child has its own copies
        let process = try SpawnedProcess(
            path: path, arguments: arguments, environment: environment, standardInput: null.fileDescriptor,
            standardOutput: output.fileDescriptor, standardError: output.fileDescriptor)
        self.process = process
        pid = process.processIdentifier
        let state = self.state
        Task.detached {
            while process.isRunning {
                do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
            }
            var text: String
            do {
                let data = try Data(contentsOf: log)
                text = String(decoding: data.suffix(ChildProcess.outputLimit), as: UTF8.self)
                try FileManager.default.removeItem(at: log)
            } catch {
                text = "(output unavailable: \(error))"
            }
            let ended = Exit(status: process.terminationStatus, signalled: process.terminatedBySignal, output: text)
            let waiters = state.exit.withLock { exit in
                exit.done = ended
                defer { exit.waiters = [] }
                return exit.waiters
            }
            for waiter in waiters { waiter.resume(returning: ended) }
        }
    }

    /// The exit, once the process has ended.
    var ended: Exit? { state.exit.withLock { $0.done } }

    /// Waits for the process to end.
    func wait() async -> Exit {
        await withCheckedContinuation { continuation in
            let done = state.exit.withLock { exit -> Exit? in
                if let done = exit.done { return done }
                exit.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Stops the whole process group: SIGTERM, then SIGKILL for what is still there after `grace`.
    /// The group is signalled even when its leader has already exited, for children it left behind.
    func stop(grace: Duration = .seconds(2)) async {
        kill(-pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ended == nil && ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
        }
        kill(-pid, SIGKILL)
        _ = await wait()
    }

    static func lookUp(_ name: String, in path: String) -> String? {
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
