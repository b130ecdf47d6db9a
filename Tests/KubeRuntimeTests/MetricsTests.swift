import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import CoreMetrics
import MetricsTestKit
import Synchronization
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

@Suite struct InstrumentCacheTests {
    /// A factory that counts the instruments it is asked for, made by `TestMetrics`.
    final class CountingFactory: MetricsFactory, @unchecked Sendable {
        let metrics = TestMetrics()
        let made = Mutex(0)
        func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
            made.withLock { $0 += 1 }
            return metrics.makeCounter(label: label, dimensions: dimensions)
        }
        func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
            metrics.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
            made.withLock { $0 += 1 }
            return metrics.makeTimer(label: label, dimensions: dimensions)
        }
        func destroyCounter(_ handler: any CounterHandler) { metrics.destroyCounter(handler) }
        func destroyRecorder(_ handler: any RecorderHandler) { metrics.destroyRecorder(handler) }
        func destroyTimer(_ handler: any TimerHandler) { metrics.destroyTimer(handler) }
    }

    @Test func eachLabelAndDimensionsIsMadeOnceAndKeepsCounting() throws {
        let factory = CountingFactory()
        let instruments = InstrumentCache(factory: factory)
        for _ in 0..<3 { instruments.counter("requests", [("verb", "GET"), ("code", "200")]).increment() }
        instruments.counter("requests", [("verb", "GET"), ("code", "404")]).increment()
        // The same strings split differently are another key.
        instruments.counter("requests", [("verb", "GET200"), ("code", "")]).increment()
        for nanoseconds in [5, 6] { instruments.timer("requests", [("verb", "GET"), ("code", "200")]).recordNanoseconds(Int64(nanoseconds)) }
        #expect(factory.made.withLock { $0 } == 4)
        #expect(try factory.metrics.expectCounter("requests", [("verb", "GET"), ("code", "200")]).totalValue == 3)
        #expect(try factory.metrics.expectCounter("requests", [("verb", "GET"), ("code", "404")]).totalValue == 1)
        #expect(try factory.metrics.expectTimer("requests", [("verb", "GET"), ("code", "200")]).values == [5, 6])
    }
}
