import Foundation
import KubeCore
import KubeSandbox
import MetricProviders
import OutboundHTTP
import SerinTesting
import Testing

@Suite struct ProxyScenarioTests {
    /// An operator outside the cluster reaches Prometheus by its cluster name through `HTTP_PROXY`, as Go
    /// programs do: here the proxy is the sandbox's, which forwards a selector-less Service's loopback
    /// Endpoints for real.
    @Test func prometheusIsReachedByItsClusterNameThroughHTTPProxy() async throws {
        try await Scenario.run { world in
            let port = URL(string: world.prometheus.url)!.port!
            try await world.kubectl.exposeOnLoopback(service: "prometheus", namespace: "istio-system", port: 9090, localPort: port)
            let proxies = ProxySettings(httpProxy: world.sandbox.trafficURL)
            let provider = PrometheusProvider(address: "http://prometheus.istio-system:9090", http: OutboundHTTP(proxies: proxies))
            #expect(try await provider.query("vector(1)") == 1)
            let direct = PrometheusProvider(
                address: "http://prometheus.istio-system:9090", timeout: .seconds(2),
                http: OutboundHTTP(proxies: ProxySettings()))
            await #expect(throws: MetricError.self, "without the proxy the cluster name does not resolve") {
                _ = try await direct.query("vector(1)")
            }
        }
    }
}
