@testable import KubeSandbox
import Testing

/// What ``TrafficMetrics`` tells about each workload's requests.
@Suite struct TrafficMetricsTests {
    @Test func requestsByWorkloadAddUpEveryServiceAndCountThe5xx() async {
        let metrics = TrafficMetrics()
        let apex = TrafficMetrics.Destination(workload: "podinfo", namespace: "test", serviceName: "podinfo")
        let canary = TrafficMetrics.Destination(workload: "podinfo", namespace: "test", serviceName: "podinfo-canary")
        let primary = TrafficMetrics.Destination(workload: "podinfo-primary", namespace: "test", serviceName: "podinfo-primary")
        await metrics.record(apex, code: 200, latencyMilliseconds: 5, count: 3)
        await metrics.record(canary, code: 503, latencyMilliseconds: 5, count: 1.5)
        await metrics.record(canary, code: 404, latencyMilliseconds: 5, count: 1)
        await metrics.record(primary, code: 200, latencyMilliseconds: 5, count: 7)
        #expect(
            await metrics.requestsByWorkload() == [
                .init(namespace: "test", workload: "podinfo", total: 5.5, serverErrors: 1.5),
                .init(namespace: "test", workload: "podinfo-primary", total: 7, serverErrors: 0),
            ])
    }
}
