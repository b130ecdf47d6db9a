import Hummingbird
import Logging

extension LoadTester {
    /// `type: concord`, run to completion as Flagger does: 200 once the process finished, 500 with why not,
    /// 400 for metadata that names no process.
    func concord(_ payload: TaskPayload) async -> Response {
        let task: ConcordTask
        do { task = try ConcordTask(metadata: payload.metadata) } catch { return text(.badRequest, error.description) }
        var logger = logger
        logger[metadataKey: "canary"] = "\(payload.canary)"
        let failure = await measured("concord") { await task.run(http: http, limit: options.timeout, logger: logger) }
        if let failure {
            logger.info("task failed", metadata: ["type": "concord", "reason": "\(failure)"])
            return text(.internalServerError, failure)
        }
        return text(.ok, "")
    }

    /// `type: ngrinder`, in the background as Flagger does: 202 once started or while it runs, 400 for
    /// metadata that names no test, 500 once for a run that failed.
    func ngrinder(_ payload: TaskPayload) async -> Response {
        let task: NGrinderTask
        do { task = try NGrinderTask(metadata: payload.metadata) } catch { return text(.badRequest, error.description) }
        var canaryLogger = logger
        canaryLogger[metadataKey: "canary"] = "\(payload.canary)"
        let (http, limit, logger) = (self.http, options.timeout, canaryLogger)
        let answer = await runs.call(key: task.key(canary: payload.canary), canary: payload.canary, type: "ngrinder") {
            await task.run(http: http, limit: limit, logger: logger)
        }
        switch answer {
        case .started: return text(.accepted, "ngrinder test started")
        case .alreadyRunning: return text(.accepted, "ngrinder test already running")
        case .previousRunFailed(let failure): return text(.internalServerError, failure)
        }
    }

    /// Runs a blocking task, counted in the metrics: started, running while it runs, then succeeded or failed.
    func measured(_ type: String, _ body: () async -> String?) async -> String? {
        metrics.started(type)
        metrics.running(type, 1)
        let failure = await body()
        metrics.running(type, -1)
        if failure == nil { metrics.succeeded(type) } else { metrics.failed(type) }
        return failure
    }

    /// `GET /metrics`: Prometheus' text format.
    func metricsPage() async -> Response {
        var running = await runs.counts
        running["cmd", default: 0] += await tasks.count
        let text = metrics.exposition(running: running, gates: gates.openCounts)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
