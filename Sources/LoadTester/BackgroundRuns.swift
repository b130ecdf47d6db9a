import Logging

/// The runs of background tasks that call another service (`ngrinder`): one per canary and task key, started
/// by a call and not again while it runs (Flagger's task runner skips a task whose hash is running).
///
/// A run that failed is reported on the next call for it, then started again, as ``CommandTasks`` does for
/// commands (Flagger only logs it). A canary that finished, and shutdown, cancel its runs.
actor BackgroundRuns {
    /// What a call got.
    enum Answer: Equatable {
        case started
        case alreadyRunning
        case previousRunFailed(String)
    }

    private struct Run {
        var canary: String
        var type: String
        var task: Task<Void, Never>
    }

    private var running: [String: Run] = [:]
    private var failures: [String: String] = [:]
    private let metrics: LoadTesterMetrics
    private let logger: Logger

    init(metrics: LoadTesterMetrics, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
    }

    /// A call for the task `key` of `canary`: starts `body` (`nil` on success, else the failure) unless it runs.
    func call(key: String, canary: String, type: String, _ body: @escaping @Sendable () async -> String?) -> Answer {
        if running[key] != nil { return .alreadyRunning }
        if let failure = failures.removeValue(forKey: key) { return .previousRunFailed(failure) }
        metrics.started(type)
        let task = Task { [weak self] in
            let failure = await body()
            await self?.ended(key, failure: failure)
        }
        running[key] = Run(canary: canary, type: type, task: task)
        return .started
    }

    /// The number of runs in progress, by task type.
    var counts: [String: Int] { running.values.reduce(into: [:]) { $0[$1.type, default: 0] += 1 } }

    /// Cancels the runs of a canary that finished, and waits for them to end.
    func finished(canary: String) async {
        let runs = running.filter { $0.value.canary == canary }
        for (_, run) in runs { run.task.cancel() }
        for (_, run) in runs { await run.task.value }
    }

    /// Cancels every run and waits for them to end (shutdown).
    func stopAll() async {
        let runs = running
        for (_, run) in runs { run.task.cancel() }
        for (_, run) in runs { await run.task.value }
    }

    private func ended(_ key: String, failure: String?) {
        guard let run = running.removeValue(forKey: key) else { return }
        if run.task.isCancelled {
            logger.info("task cancelled", metadata: ["canary": "\(run.canary)", "type": "\(run.type)", "reason": "\(failure ?? "")"])
        } else if let failure {
            metrics.failed(run.type)
            failures[key] = failure
            logger.info("task failed", metadata: ["canary": "\(run.canary)", "type": "\(run.type)", "reason": "\(failure)"])
        } else {
            metrics.succeeded(run.type)
            logger.info("task succeeded", metadata: ["canary": "\(run.canary)", "type": "\(run.type)"])
        }
    }
}
