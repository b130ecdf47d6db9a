import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's APISIX tutorial on the sandbox: `provider: apisix` with `routeRef` to the user's ApisixRoute for
/// `app.example.com`, the canary route Serin writes above it, and the built-in metrics from the prometheus
/// plugin's series.
@Suite(.serialized) struct APISIXScenarioTests {
    static let manifests = """
        \(Podinfo.workload)
        ---
        apiVersion: apisix.apache.org/v2
        kind: ApisixRoute
        metadata: {name: podinfo, namespace: test}
        spec:
          http:
          - name: method
            match: {hosts: [app.example.com], methods: [GET], paths: ["/*"]}
            backends: [{serviceName: podinfo, servicePort: 80}]
            plugins: [{name: prometheus, enable: true, config: {disable: false, prefer_name: true}}]
        ---
        \(Podinfo.canary(provider: "apisix", references: "routeRef: {apiVersion: apisix.apache.org/v2, kind: ApisixRoute, name: podinfo}"))
        """

    @Test func aGoodReleaseMovesTheCanaryRoutesWeightsAndABadOneRollsBack() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "apisix"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let route = try await world.json(["get", "apisixroute", "podinfo-podinfo-canary", "-n", "test"])
            #expect(
                route[path: "spec", "http"]?[0]?["priority"] == 10000
                    && route[path: "spec", "http"]?[0]?[path: "backends"]?[1]?["serviceName"] == "podinfo-canary",
                "\(route)")
            #expect(try await world.visit("http://app.example.com/").workload == "podinfo-primary", "the canary route wins, on the primary")

            try await world.promotesThenRollsBack(
                metric: "request-success-rate", query: #"apisix_http_status{route=~"test_podinfo-podinfo-canary_.+""#)
            let backends = try await world.json(["get", "apisixroute", "podinfo-podinfo-canary", "-n", "test"])[path: "spec", "http"]?[0]?["backends"]
            #expect(backends?[0]?["weight"] == 100 && backends?[1]?["weight"] == 0, "back on the primary: \(String(describing: backends))")
            let user = try await world.json(["get", "apisixroute", "podinfo", "-n", "test"])
            #expect(user[path: "spec", "http"]?[0]?[path: "backends"]?.arrayValue?.count == 1, "the user's route is untouched")
        }
    }
}
