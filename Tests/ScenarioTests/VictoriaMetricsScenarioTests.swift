import SerinTesting
import Testing

/// A second PromQL engine: VictoriaMetrics (Debian's `victoria-metrics`) scrapes the sandbox's Istio traffic
/// and answers Flagger's built-in Istio queries through the `prometheus` provider, so nothing
/// Prometheus-specific leaked into them. The same stories as Prometheus's.
@Suite struct VictoriaMetricsScenarioTests {
    @Test func aGoodReleaseIsPromotedJudgedByVictoriaMetrics() async throws {
        try await Scenario.run(Scenario.Setup(metricsEngine: .victoriaMetrics)) { world in
            try await RolloutStories.aGoodReleaseIsPromotedStepByStep(on: world)
        }
    }

    @Test func aFailingReleaseIsRolledBackJudgedByVictoriaMetrics() async throws {
        try await Scenario.run(Scenario.Setup(metricsEngine: .victoriaMetrics)) { world in
            try await RolloutStories.aFailingReleaseRollsBackAtTheThresholdAndThePrimaryKeepsItsVersion(on: world)
        }
    }
}
