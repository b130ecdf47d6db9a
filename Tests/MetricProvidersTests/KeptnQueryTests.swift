import CanaryAPI
@testable import MetricProviders
import Testing

/// Flagger's `keptn` query syntax.
@Suite struct KeptnQueryTests {
    @Test func queriesNameAKeptnMetricOrAnAnalysisWithItsTimeframeAndArguments() throws {
        #expect(
            try KeptnQuery(parsing: "keptnmetric/my-namespace/response-time/2m/reporter=destination\n")
                == .metric(namespace: "my-namespace", name: "response-time"))
        #expect(try KeptnQuery(parsing: "KeptnMetrics/ns/m") == .metric(namespace: "ns", name: "m"))
        #expect(try KeptnQuery(parsing: "analysis/ns/def") == .analysis(namespace: "ns", definition: "def", timeframe: "1m", arguments: []))
        #expect(
            try KeptnQuery(parsing: "analyses/ns/def/5m/workload=PodInfo;min=99;broken")
                == .analysis(namespace: "ns", definition: "def", timeframe: "5m", arguments: [("workload", "PodInfo"), ("min", "99")]))
        #expect(throws: MetricError.self) { try KeptnQuery(parsing: "keptnmetric/ns") }
        #expect(throws: MetricError.self) { try KeptnQuery(parsing: "dql/ns/x") }
    }

    @Test func withoutClusterAccessTheProviderIsRefused() {
        #expect(throws: MetricError.configuration("could not initialize KeptnProvider: no cluster access")) {
            try KeptnProvider(config: MetricProviderConfig(address: ""))
        }
    }
}
