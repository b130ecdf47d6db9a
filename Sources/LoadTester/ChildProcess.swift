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

    /// What the reader and the termination handler share with the waiters.
    private final class State: Sendable {
        let output = Mutex<[UInt8]>([])
        let exit = Mutex<(done: Exit?, waiters: [CheckedContinuation<Exit, Never>])>((nil, []))
        /// The exit status (once the process exited) and whether the output reached its end: the run is over
        /// when both happened, so that no output is lost and nothing reads the pipe twice.
        let parts = Mutex<(status: (Int32, Bool)?, eof: Bool)>((nil, false))

        func finishIfComplete() {
            let status = parts.withLock { $0.eof ? $0.status : nil }
            guard let (code, signalled) = status else { return }
            let text = output.withLock { String(decoding: $0.suffix(ChildProcess.outputLimit), as: UTF8.self) }
            let ended = Exit(status: code, signalled: signalled, output: text)
            let waiters = exit.withLock { exit -> [CheckedContinuation<Exit, Never>] in
                guard exit.done == nil else { return [] }
                exit.done = ended
                defer { exit.waiters = [] }
                return exit.waiters
            }
            for waiter in waiters { waiter.resume(returning: ended) }
        }
    }

    let pid: Int32
    private let process: Process
    private let state = State()

    /// Starts `executable` (a path or a name looked up in `PATH`) with `arguments`.
    init(executable: String, arguments: [String], environment: [String: String]) throws {
        let process = Process()
        let path = executable.contains("/") ? executable : ChildProcess.lookUp(executable, in: environment["PATH"] ?? "") ?? executable
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let state = self.state
        process.terminationHandler = { process in
            state.parts.withLock { $0.status = (process.terminationStatus, process.terminationReason == .uncaughtSignal) }
            state.finishIfComplete()
        }
        try process.run()
        // Our copy of the write end: without closing it the output would never reach its end.
        try pipe.fileHandleForWriting.close()
        // A blocking reader on a thread of its own (one per command) until every writer closed the pipe.
        let reader = pipe.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let data: Data
                do { data = try reader.read(upToCount: 65_536) ?? Data() } catch { data = Data() }  // a read error ends the output too
                if data.isEmpty { break }
                state.output.withLock { buffer in
                    buffer.append(contentsOf: data)
                    if buffer.count > ChildProcess.outputLimit { buffer.removeFirst(buffer.count - ChildProcess.outputLimit) }
                }
            }
            state.parts.withLock { $0.eof = true }
            state.finishIfComplete()
        }
        self.process = process
        pid = process.processIdentifier
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
