@testable import CanaryController
import Testing

@Suite struct GaugeFamiliesTests {
    @Test func perCanaryGaugesAreWrittenInPrometheusTextFormatWithEscapedLabelsAndTheLastValue() {
        let gauges = GaugeFamilies()
        gauges.set("flagger_canary_weight", help: "weights", labels: [("workload", "b"), ("namespace", "demo")], 20)
        gauges.set("flagger_canary_weight", help: "weights", labels: [("workload", "a"), ("namespace", "demo")], 80)
        gauges.set("flagger_canary_weight", help: "weights", labels: [("workload", "b"), ("namespace", "demo")], 40)
        gauges.set("flagger_canary_metric_analysis", help: "per metric", labels: [("metric", "say \"hi\"\\\n")], 99.5)
        #expect(gauges.value("flagger_canary_weight", labels: ["b", "demo"]) == 40)
        #expect(
            gauges.exposition() == """
                # HELP flagger_canary_weight weights
                # TYPE flagger_canary_weight gauge
                flagger_canary_weight{workload="a",namespace="demo"} 80
                flagger_canary_weight{workload="b",namespace="demo"} 40
                # HELP flagger_canary_metric_analysis per metric
                # TYPE flagger_canary_metric_analysis gauge
                flagger_canary_metric_analysis{metric="say \\"hi\\"\\\\\\n"} 99.5

                """)
    }
}
