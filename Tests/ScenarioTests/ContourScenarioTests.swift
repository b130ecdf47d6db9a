import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's Contour tutorial on the sandbox: `provider: contour`, the HTTPProxy Serin writes included from
/// the user's root proxy for `app.example.com`, and the built-in metrics from Envoy's cluster statistics.
@Suite(.serialized) struct ContourScenarioTests {
    static func manifests(analysis: String = Podinfo.tutorialAnalysis) -> String {
        """
        \(Podinfo.workload)
        ---
        apiVersion: projectcontour.io/v1
        kind: HTTPProxy
        metadata: {name: podinfo-ingress, namespace: test}
        spec:
          virtualhost: {fqdn: app.example.com}
          includes: [{name: podinfo, namespace: test, conditions: [{prefix: /}]}]
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: contour
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 80
            targetPort: 9898
            timeout: 15s
            retries: {attempts: 3, perTryTimeout: 5s, retryOn: "5xx"}
          analysis:
        \(analysis)
        """
    }

    static func setup(loadTester: Bool = false) -> Scenario.Setup {
        var setup = Scenario.Setup(loadTester: loadTester)
        setup.meshProvider = "contour"
        return setup
    }

    @Test func aGoodReleaseMovesTheHTTPProxysWeightsAndABadOneRollsBack() async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let route = try await world.json(["get", "httpproxy", "podinfo", "-n", "test"])[path: "spec", "routes"]?[0]
            #expect(
                route?["timeoutPolicy"] == ["response": "15s", "idle": "5m"] && route?[path: "retryPolicy", "count"] == 3,
                "\(String(describing: route))")
            #expect(try await world.visit("http://app.example.com/").workload == "podinfo-primary", "the root proxy includes Serin's")

            try await world.promotesThenRollsBack(metric: "request-success-rate", query: #"envoy_cluster_name=~"test_podinfo-canary_[0-9a-zA-Z-]+""#)
            let after = try await world.json(["get", "httpproxy", "podinfo", "-n", "test"])[path: "spec", "routes"]?[0]?["services"]
            #expect(after?[0]?["weight"] == 100 && after?[1]?["weight"] == 0, "traffic back on the primary: \(String(describing: after))")
        }
    }

    @Test func anABTestSendsOnlyTheMatchingRequestsToTheCanary() async throws {
        try await Scenario.run(Self.setup(loadTester: true)) { world in
            let analysis = """
                    interval: 1s
                    threshold: 2
                    iterations: 3
                    match: [{headers: {x-canary: {exact: insider}}}, {headers: {cookie: {suffix: "canary=always"}}}]
                    webhooks: [{name: approval, type: confirm-promotion, url: http://flagger-loadtester.test/gate/check}]
                """
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(analysis: analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            #expect(try await world.waitForPhase("WaitingPromotion", name: "podinfo", namespace: "test", timeout: .seconds(60)), "held by the gate")
            for _ in 0..<10 {
                #expect(
                    try await world.visit("http://app.example.com/", headers: [("X-Canary", "insider")]).workload == "podinfo", "the header's block")
                #expect(
                    try await world.visit("http://app.example.com/", cookie: "session=1; canary=always").workload == "podinfo", "the cookie's block")
                #expect(try await world.visit("http://app.example.com/").workload == "podinfo-primary", "everyone else")
            }
            #expect(try await world.loadTester("/gate/open", name: "podinfo", namespace: "test") == 202)
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            #expect(try await world.visit("http://app.example.com/", headers: [("X-Canary", "insider")]).workload == "podinfo-primary")
        }
    }
}
