import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import MetricsTestKit
import Testing

@Suite struct MetricsTests {
    @Test func apiRequestsAreCountedByVerbAndCode() async throws {
        let metrics = TestMetrics()
        try await Sandbox.with { sandbox in
            let client = KubeClient(configuration: sandbox.clientConfiguration, metricsFactory: metrics)
            defer { Task { try await client.shutdown() } }
            _ = try await client.resource(.configMaps).create(configMap("m"), namespace: "default")
            _ = try await client.resource(.configMaps).get("m", namespace: "default")
            _ = try? await client.resource(.configMaps).get("missing", namespace: "default")
            #expect(try metrics.expectCounter("serin_kube_requests_total", [("verb", "CREATE"), ("code", "201")]).totalValue == 1)
            #expect(try metrics.expectCounter("serin_kube_requests_total", [("verb", "GET"), ("code", "200")]).totalValue == 1)
            #expect(try metrics.expectCounter("serin_kube_requests_total", [("verb", "GET"), ("code", "404")]).totalValue == 1)
            #expect(try metrics.expectTimer("serin_kube_request_duration_seconds", [("verb", "GET"), ("code", "200")]).values.count == 1)
        }
    }

    @Test func reconcileOutcomesAndDurationsAreRecorded() async throws {
        let metrics = TestMetrics()
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            _ = try await client.resource(.configMaps).create(configMap("a"), namespace: "default")
            let reflector = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            let controller = Controller(
                name: "measured", primary: reflector, reconciler: ReconcilerFunction { _, _ in .awaitChange },
                metrics: RuntimeMetrics(factory: metrics))
            try await running([reflector.run, controller.run]) {
                // Wall time for the sandbox, the first list and the first reconcile: a loaded CI run needed more than 5 s.
                #expect(
                    await eventually(timeout: .seconds(30)) {
                        (try? metrics.expectCounter("serin_reconcile_total", [("controller", "measured"), ("outcome", "success")]).totalValue) == 1
                    })
            }
            #expect(try metrics.expectTimer("serin_reconcile_duration_seconds", [("controller", "measured")]).values.count == 1)
        }
    }
}
