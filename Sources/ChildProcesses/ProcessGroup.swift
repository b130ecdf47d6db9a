import Foundation

/// Ends the programs a sandbox or a test starts (Envoy, Prometheus, kubectl, hey) so that none outlives its
/// owner: `SIGTERM` to the child's process group (Foundation starts each child as the leader of a group of
/// its own, so whatever it started goes too), `SIGKILL` to the group if it has not exited within `grace`,
/// then a bounded wait for Foundation to reap it.
///
/// No wait here is unbounded, and none blocks a thread of Swift's concurrency pool: that pool is as wide as
/// the machine's cores (two here), so two callers blocked in `waitUntilExit` would stop every task of the
/// process. Foundation's `Process` has been seen to miss a child's exit; then this gives up after the
/// bounded wait rather than hang.
public enum ProcessGroup {
    /// How long after `SIGKILL` this waits for Foundation to see the exit.
    static let reapPatience: Duration = .seconds(5)

    /// Ends `process` and its process group and waits (bounded) for it, on a thread of its own.
    public static func stop(_ process: some ChildProcess, grace: Duration = .seconds(5)) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                stopNow(process, grace: grace)
                continuation.resume()
            }
        }
    }

    /// Sends `SIGTERM` now and does the rest of ``stop(_:grace:)`` on a thread of its own, then runs
    /// `afterwards` (removing the program's files, say). Returns at once: for `defer` in async code.
    public static func stopInBackground(
        _ process: some ChildProcess, grace: Duration = .seconds(5),
        afterwards: @escaping @Sendable () -> Void = {}
    ) {
        let pid = process.processIdentifier
        guard pid > 0 else { return afterwards() }
        signal(pid, SIGTERM)
        Thread.detachNewThread {
            stopNow(process, grace: grace)
            afterwards()
        }
    }

    /// ``stop(_:grace:)``, blocking the calling thread for at most `grace` plus ``reapPatience``. Not for
    /// async code.
    public static func stopNow(_ process: some ChildProcess, grace: Duration = .seconds(5)) {
        let pid = process.processIdentifier
        guard pid > 0 else { return }  // never started
        signal(pid, SIGTERM)
        if !waitForExit(process, within: grace) {
            signal(pid, SIGKILL)
            _ = waitForExit(process, within: reapPatience)
        }
        kill(-pid, SIGKILL)  // anything of the group still there once its leader is gone
    }

    /// Waits for `process` to exit, polling without holding a thread, and returns its status. A program still
    /// running after `timeout` is stopped (``stop(_:grace:)``) and this throws ``ProcessTimeout`` naming it; when
    /// the waiting task is cancelled, the program is stopped too and this throws `CancellationError`.
    public static func exitStatus(of process: some ChildProcess, within timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                await stop(process, grace: .seconds(1))
                throw ProcessTimeout(command: process.commandLine, timeout: timeout)
            }
            do {
                try await Task.sleep(for: .milliseconds(20))
            } catch {
                stopInBackground(process, grace: .seconds(1))  // a cancelled caller leaves no program behind
                throw error
            }
        }
        return process.terminationStatus
    }

    /// Polls `isRunning` until it turns false or `patience` has passed; whether it ended.
    private static func waitForExit(_ process: some ChildProcess, within patience: Duration) -> Bool {
        let deadline = ContinuousClock.now + patience
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    /// `signal` to the process group `pid` leads, and to `pid` itself in case it left the group.
    private static func signal(_ pid: pid_t, _ signal: Int32) {
        kill(-pid, signal)
        kill(pid, signal)
    }
}

/// A program that did not exit in the time it was given, and was stopped.
public struct ProcessTimeout: Error, CustomStringConvertible {
    public var command: String
    public var timeout: Duration
    /// The end of what it printed before it was stopped, when it was captured (``Command/run(within:)``).
    public var output = ""
    public var description: String {
        "failed to wait for `\(command)`: still running after \(timeout), stopped" + (output.isEmpty ? "" : "; it had printed: \(output)")
    }
}
