import Foundation

/// Ends the programs a sandbox or a test starts (Envoy, Prometheus, kubectl, hey) so that none outlives its
/// owner: `SIGTERM` to the child's process group (Foundation starts each child as the leader of a group of
/// its own, so whatever it started goes too), `SIGKILL` to the group if it has not exited within `grace`,
/// then a wait, so the child is reaped and leaves no zombie.
public enum ProcessGroup {
    /// Ends `process` and its process group and waits for it, without blocking a task's thread.
    public static func stop(_ process: Process, grace: Duration = .seconds(5)) async {
        // A thread of its own: the wait blocks, and must not hold one of the concurrency pool's few threads.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // SAFETY: the process is only signalled and waited for here, after it was started.
            nonisolated(unsafe) let process = process
            Thread.detachNewThread {
                stopNow(process, grace: grace)
                continuation.resume()
            }
        }
    }

    /// ``stop(_:grace:)``, blocking the calling thread.
    public static func stopNow(_ process: Process, grace: Duration = .seconds(5)) {
        let pid = process.processIdentifier
        guard pid > 0 else { return }  // never started
        signal(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { signal(pid, SIGKILL) }
        process.waitUntilExit()
        kill(-pid, SIGKILL)  // anything of the group still there once its leader is gone
    }

    /// `signal` to the process group `pid` leads, and to `pid` itself in case it left the group.
    private static func signal(_ pid: pid_t, _ signal: Int32) {
        kill(-pid, signal)
        kill(pid, signal)
    }
}
