import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's Gloo tutorial on the sandbox: `provider: gloo`, the user's Gloo VirtualService for
/// `app.example.com` delegating to the RouteTable Serin writes, and the built-in metrics from Envoy's cluster
/// statistics of the canary upstream.
@Suite(.serialized) struct GlooScenarioTests {
    static let manifests = """
        \(Podinfo.workload)
        ---
        apiVersion: gateway.solo.io/v1
        kind: VirtualService
        metadata: {name: podinfo, namespace: test}
        spec:
          virtualHost:
            domains: [app.example.com]
            routes:
            - matchers: [{prefix: /}]
              delegateAction: {ref: {name: podinfo, namespace: test}}
        ---
        \(Podinfo.canary(provider: "gloo", service: "{port: 9898, targetPort: 9898}"))
        """

    @Test func aGoodReleaseMovesTheRouteTablesWeightsAndABadOneRollsBack() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gloo"
        setup.gloo = true
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let upstream = try await world.json(["get", "upstreams.gloo.solo.io", "test-podinfo-canaryupstream-9898", "-n", "test"])
            #expect(upstream[path: "spec", "kube", "serviceName"] == "podinfo-canary", "\(upstream)")
            #expect(
                try await world.visit("http://app.example.com/").workload == "podinfo-primary", "the VirtualService delegates to Serin's RouteTable")

            try await world.promotesThenRollsBack(
                metric: "request-success-rate", query: #"envoy_cluster_name=~"test-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+""#)
            let destinations = try await world.json(["get", "routetable", "podinfo", "-n", "test"])[path: "spec", "routes"]?[0]?[
                path: "routeAction", "multi", "destinations"]
            #expect(
                destinations?[0]?["weight"] == 100 && destinations?[1]?["weight"] == 0, "back on the primary: \(String(describing: destinations))")
        }
    }
}
