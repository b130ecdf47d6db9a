import Foundation
import Logging

/// The background commands of `cmd` tasks: one per canary and command, started by the first call and kept
/// while calls keep coming.
///
/// A command ends when it exits, at `timeout`, when the calls for it stop (no call within three times the
/// gap between the last two calls, or ``firstLease`` before a second call: the canary finished, failed,
/// or now runs another command), or when a payload says the canary finished (phase `Succeeded`, `Failed`,
/// `Terminating`). A command that exited with an error is reported on the next call for it, then started
/// again.
actor CommandTasks {
    /// How long a command runs without a second call.
    static let firstLease: Duration = .seconds(300)
    /// How many call gaps a command outlives its last call by.
    static let leaseFactor = 3.0
    /// The shortest lease, for canaries with a very short interval.
    static let minimumLease: Duration = .seconds(10)

    struct Running {
        var canary: String
        var command: String
        var process: ChildProcess
        var started: ContinuousClock.Instant
        var lastCall: ContinuousClock.Instant
        var gap: Duration?
        var logOutput: Bool
    }

    /// What a call got.
    enum Answer: Equatable {
        case started(pid: Int32)
        case alreadyRunning(pid: Int32)
        /// The previous run failed; it is reported once, and the command starts again on the next call.
        case previousRunFailed(String)
        case refused(String)
    }

    let policy: CommandPolicy
    let timeout: Duration
    let environment: [String: String]
    let metrics: LoadTesterMetrics
    let logger: Logger
    private var running: [String: Running] = [:]
    /// Commands being stopped (still alive until their group is gone), by process id.
    private var stopping: Set<Int32> = []
    private var failures: [String: String] = [:]

    init(policy: CommandPolicy, timeout: Duration, environment: [String: String], metrics: LoadTesterMetrics, logger: Logger) {
        self.policy = policy
        self.timeout = timeout
        self.environment = environment
        self.metrics = metrics
        self.logger = logger
    }

    /// A call for `command` of `canary`.
    func call(canary: String, command: String, logOutput: Bool, now: ContinuousClock.Instant = .now) -> Answer {
        let key = "\(canary)\u{0}\(command)"
        if var task = running[key] {
            task.gap = now - task.lastCall
            task.lastCall = now
            running[key] = task
            return .alreadyRunning(pid: task.process.pid)
        }
        if let failure = failures.removeValue(forKey: key) { return .previousRunFailed(failure) }
        let invocation: CommandPolicy.Invocation
        switch policy.invocation(of: command, shell: "sh") {
        case .success(let found): invocation = found
        case .failure(let refusal): return .refused(refusal.description)
        }
        let process: ChildProcess
        do {
            process = try ChildProcess(executable: invocation.executable, arguments: invocation.arguments, environment: environment)
        } catch {
            return .refused("failed to start \(invocation.executable): \(error)")
        }
        running[key] = Running(canary: canary, command: command, process: process, started: now, lastCall: now, logOutput: logOutput)
        metrics.started("cmd")
        logger.info("command started", metadata: ["canary": "\(canary)", "cmd": "\(command)", "pid": "\(process.pid)"])
        return .started(pid: process.pid)
    }

    /// Stops every command of a canary that finished.
    func finished(canary: String) async {
        for (key, task) in running where task.canary == canary { await stop(key, task, reason: "the canary finished") }
    }

    /// Reaps exited commands and stops the ones past their lease or timeout.
    func sweep(now: ContinuousClock.Instant = .now) async {
        for (key, task) in running {
            if let exit = task.process.ended {
                running[key] = nil
                report(task, exit)
                if exit.status == 0 { metrics.succeeded("cmd") } else { metrics.failed("cmd") }
                if exit.status != 0 && !exit.signalled {
                    failures[key] = "command \"\(task.command)\" exited with status \(exit.status): \(exit.output.suffix(500))"
                }
            } else if now - task.started > timeout {
                await stop(key, task, reason: "timeout \(timeout) reached")
            } else if now - task.lastCall > lease(task) {
                await stop(key, task, reason: "no call since \(now - task.lastCall)")
            }
        }
    }

    /// How many commands run now.
    var count: Int { running.count }

    /// The process ids of the commands still alive: running, or being stopped.
    var pids: [Int32] { running.values.map(\.process.pid) + stopping }

    /// Stops everything (shutdown).
    func stopAll() async {
        for (key, task) in running { await stop(key, task, reason: "shutdown") }
    }

    private func lease(_ task: Running) -> Duration {
        guard let gap = task.gap else { return CommandTasks.firstLease }
        return max(gap * CommandTasks.leaseFactor, CommandTasks.minimumLease)
    }

    private func stop(_ key: String, _ task: Running, reason: String) async {
        running[key] = nil  // a call meanwhile starts the command afresh
        stopping.insert(task.process.pid)
        await task.process.stop()
        stopping.remove(task.process.pid)
        logger.info("command stopped", metadata: ["canary": "\(task.canary)", "cmd": "\(task.command)", "reason": "\(reason)"])
    }

    private func report(_ task: Running, _ exit: ChildProcess.Exit) {
        var metadata: Logger.Metadata = ["canary": "\(task.canary)", "cmd": "\(task.command)", "status": "\(exit.status)"]
        if task.logOutput { metadata["output"] = "\(exit.output)" }
        logger.info("command exited", metadata: metadata)
    }
}
