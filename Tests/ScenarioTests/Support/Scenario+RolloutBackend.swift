import KubeCore
import SerinTesting

/// The live backend of ``RolloutStories``: the sandbox over HTTP, its traffic simulator, a real Prometheus
/// scraping it, and the wall clock.
extension Scenario: RolloutBackend {
    var storyInterval: Duration { .seconds(3) }
    /// Ten seconds of a Prometheus that scrapes every second.
    var storyMetricInterval: Duration { .seconds(10) }

    /// Samples the Canary's status every 100 ms for at most three minutes.
    func progress(_ canary: String, until condition: @escaping @Sendable (JSONValue) -> Bool) async throws -> RolloutProgress {
        let start = ContinuousClock.now
        var seen: [String] = []
        while true {
            let status = try await status(canary)
            let state = RolloutProgress.state(of: status)
            if seen.last != state { seen.append(state) }
            if condition(status) { return RolloutProgress(reached: true, seen: seen, elapsed: ContinuousClock.now - start) }
            guard ContinuousClock.now - start < .seconds(180) else {
                return RolloutProgress(reached: false, seen: seen, elapsed: ContinuousClock.now - start)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The samples per second the engine holds for each workload in `demo` and for its scrapes (`up`) over the
    /// last minute, and the scrapes that failed.
    func metricsEvidence() async -> String {
        let queries = [
            "count by (destination_workload, response_code) (count_over_time(istio_requests_total{destination_workload_namespace=\"demo\"}[60s]))",
            "count_over_time(up[60s])", "count_over_time((up == 0)[60s:1s])",
        ]
        var evidence: [String] = []
        for query in queries {
            do {
                let answer = try await prometheus.answer(to: query)
                evidence.append("\(query) → \(answer[path: "data", "result"] ?? answer)")
            } catch {
                evidence.append("\(query) → failed: \(error)")
            }
        }
        return "metrics: " + evidence.joined(separator: "; ")
    }
}
