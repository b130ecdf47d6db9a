import Foundation
@testable import KubeSandbox
@testable import SerinTesting
import Testing

/// A real Graphite judges a rollout: Debian's carbon-cache and graphite-web (`GraphiteServer`), fed every
/// second with the sandbox's requests per workload (`GraphiteTrafficFeed`, as statsd flushes counters), and
/// a MetricTemplate of `provider.type: graphite` asking for the canary's success rate in Graphite's function
/// language, in the shape of Flagger's Graphite example.
@Suite struct GraphiteScenarioTests {
    static let metric = "graphite-success-rate"

    /// `{{ interval }}` is quoted and the metric's interval is in seconds: graphite-web answers `'10s'`, but
    /// `10s` bare and `'1m'` (Graphite's minute is `min`) are errors (500).
    static func manifests(graphite: String) -> String {
        """
        \(Podinfo.workload)
        ---
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: \(metric), namespace: test}
        spec:
          provider: {type: graphite, address: "\(graphite)"}
          query: |
            target=summarize(
              asPercent(
                diffSeries(
                  sumSeries(sandbox.{{ namespace }}.{{ target }}.requests.total),
                  sumSeries(sandbox.{{ namespace }}.{{ target }}.requests.errors)
                ),
                sumSeries(sandbox.{{ namespace }}.{{ target }}.requests.total)
              ),
              '{{ interval }}',
              'avg'
            )&from=-{{ interval }}
        ---
        \(Podinfo.canary(provider: "istio", analysis: analysis))
        """
    }

    /// Two steps (10 %, then 50 %) and a rollback at the second failed check.
    static let analysis = """
            interval: 3s
            threshold: 2
            stepWeights: [10, 50]
            metrics:
            - name: \(metric)
              templateRef: {name: \(metric), namespace: test}
              thresholdRange: {min: 99}
              interval: 10s
        """

    @Test func theFeedWritesWhatEachWorkloadAnsweredSinceItsLastReading() {
        let before = [TrafficMetrics.WorkloadRequests(namespace: "test", workload: "podinfo-primary", total: 100, serverErrors: 1)]
        let now = [
            TrafficMetrics.WorkloadRequests(namespace: "test", workload: "podinfo", total: 5, serverErrors: 2.5),
            TrafficMetrics.WorkloadRequests(namespace: "test", workload: "podinfo-primary", total: 145, serverErrors: 1),
        ]
        #expect(
            GraphiteTrafficFeed.points(since: before, now: now, timestamp: 1_700_000_000) == [
                .init(path: "sandbox.test.podinfo.requests.total", value: 5, timestamp: 1_700_000_000),
                .init(path: "sandbox.test.podinfo.requests.errors", value: 2.5, timestamp: 1_700_000_000),
                .init(path: "sandbox.test.podinfo-primary.requests.total", value: 45, timestamp: 1_700_000_000),
                .init(path: "sandbox.test.podinfo-primary.requests.errors", value: 0, timestamp: 1_700_000_000),
            ])
    }

    @Test func aGoodReleaseIsPromotedAndAFailingOneRolledBackJudgedByGraphite() async throws {
        try await Scenario.run { world in
            try await GraphiteServer.with { graphite in
                let feed = GraphiteTrafficFeed(from: world.sandbox.metrics, to: graphite)
                // The canary has no traffic before its first step: its series must exist by its first check.
                try await feed.announce(namespace: "test", workload: "podinfo")
                try await feed.whileRunning {
                    try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(graphite: graphite.url))
                    #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
                    try await world.promotesThenRollsBack(metric: Self.metric, query: "sumSeries(sandbox.test.podinfo.requests.total)")
                }
            }
            // Every halt was Graphite's number below the threshold: never "no values", never a failed query.
            let events = try await world.events("podinfo", namespace: "test")
            let halts = events.filter { $0.hasPrefix("Halt") }
            let prefix = "Halt podinfo.test advancement \(Self.metric) "
            #expect(!halts.isEmpty, "\(events)")
            for halt in halts {
                let value = halt.hasPrefix(prefix) ? Double(halt.dropFirst(prefix.count).prefix { $0 != " " }) : nil
                #expect(value.map { $0 < 99 } == true && halt.hasSuffix(" < 99"), "\(halt)")
            }
            #expect(events.contains("Rolling back podinfo.test failed checks threshold reached 2"), "\(events)")
        }
    }
}
