import CanaryAPI
import Foundation
import Hummingbird
import KubeCore
import NIOCore
@testable import MetricProviders
import OutboundHTTP
import SerinTesting
import Synchronization
import Testing

/// The External Metrics provider: Flagger's query syntax, quantities, and both ways of asking.
@Suite struct ExternalMetricsProviderTests {
    @Test func queriesAreReadAsFlaggerReadsThem() throws {
        typealias Query = ExternalMetricsProvider.Query
        #expect(
            try ExternalMetricsProvider.parse("webapp-frontend/job-success-rate?labelSelector=env%3Dproduction")
                == Query(namespace: "webapp-frontend", metric: "job-success-rate", labelSelector: "env=production"))
        #expect(try ExternalMetricsProvider.parse("queue-depth\n") == Query(namespace: "default", metric: "queue-depth"))
        #expect(try ExternalMetricsProvider.parse("/queue-depth") == Query(namespace: "default", metric: "queue-depth"))
        #expect(throws: MetricError.self) { try ExternalMetricsProvider.parse("a/b/c") }
        #expect(throws: MetricError.self) { try ExternalMetricsProvider.parse("ns/") }
        #expect(throws: MetricError.self) { try ExternalMetricsProvider.parse("ns/metric name") }
    }

    @Test func quantitiesAreReadAsKubernetesWritesThem() {
        #expect(Quantity.value(of: "1500m") == 1.5)
        #expect(Quantity.value(of: "2k") == 2000)
        #expect(Quantity.value(of: "1Ki") == 1024)
        #expect(Quantity.value(of: "1e3") == 1000)
        #expect(Quantity.value(of: "11111e-4") == 1.1111)
        #expect(Quantity.value(of: "-3") == -3)
        #expect(Quantity.value(of: "inf") == nil && Quantity.value(of: "12x") == nil && Quantity.value(of: "") == nil)
    }

    @Test func theOperatorsClusterIsAskedWithoutAnAddressAndTheAddressWithTheSecretsToken() async throws {
        let asked = Mutex<[(KubeResource, String, String?)]>([])
        let cluster = ClusterAccess { resource, namespace, selector throws(ClusterAccess.Failure) in
            asked.withLock { $0.append((resource, namespace, selector)) }
            guard resource.plural == "queue-depth" else { throw ClusterAccess.Failure(status: 404, message: "not found") }
            return [["metricName": "queue-depth", "value": "1500m"]]
        }
        let provider = try ExternalMetricsProvider(config: MetricProviderConfig(address: "", cluster: cluster))
        #expect(try await provider.query("demo/queue-depth?labelSelector=app%3Dworker") == 1.5)
        #expect(await provider.isOnline(), "a 404 for an unknown metric means the API is served")
        let first = try #require(asked.withLock { $0.first })
        #expect(first.0.group == "external.metrics.k8s.io" && first.0.version == "v1beta1" && first.1 == "demo" && first.2 == "app=worker")

        try await StubServer.serve(ExternalMetricsProviderTests.adapter) { port in
            let direct = try ExternalMetricsProvider(
                config: MetricProviderConfig(
                    address: "http://127.0.0.1:\(port)", secret: ["token": "ext-token"], http: OutboundHTTP(proxies: ProxySettings())))
            #expect(try await direct.query("demo/queue-depth?labelSelector=app%3Dworker") == 2048)
            await #expect(throws: MetricError.noValues) { try await direct.query("demo/empty") }
        }
    }

    /// An adapter on loopback: `queue-depth` is `2Ki` for a Bearer `ext-token`, `empty` has no items.
    static let adapter = CallbackResponder<BasicRequestContext> { request, _ in
        guard request.headers[.authorization] == "Bearer ext-token" else { return Response(status: .unauthorized) }
        let items =
            request.uri.path == "/apis/external.metrics.k8s.io/v1beta1/namespaces/demo/queue-depth"
                && request.uri.query == "labelSelector=app%3Dworker" ? #"[{"metricName":"queue-depth","value":"2Ki"}]"# : "[]"
        let body = #"{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":\#(items)}"#
        return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
