import Foundation
import KubeCore
import KubeSandbox
import Routers
import SerinTesting
import Testing

/// Flagger's Kuma example on the sandbox: `--mesh-provider kuma`, the cluster-scoped TrafficRoute `podinfo`
/// splitting the apex tag between the primary and the canary, judged by the canary dataplane's Envoy
/// statistics (`envoy_cluster_upstream_rq` by its `service` tag).
@Suite(.serialized) struct KumaScenarioTests {
    static let manifests = """
        \(Podinfo.workload)
        ---
        \(Podinfo.canary(provider: "kuma", service: "{port: 9898, targetPort: 9898, apex: {annotations: {9898.service.kuma.io/protocol: http}}}"))
        """

    static func split(_ world: Scenario) async throws -> [String: Int] {
        let route = try await world.json(["get", "trafficroute", "podinfo"])
        var weights: [String: Int] = [:]
        for entry in route[path: "spec", "conf", "split"]?.arrayValue ?? [] {
            weights[entry[path: "destination", "kuma.io/service"]?.stringValue ?? ""] = entry["weight"]?.intValue
        }
        return weights
    }

    @Test func aGoodReleaseMovesTheTrafficRouteAndABadOneRollsBackOnTheDataplanesMetrics() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "kuma"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let route = try await world.json(["get", "trafficroute", "podinfo"])
            #expect(route["mesh"] == "default" && route[path: "metadata", "namespace"] == nil, "\(route)")
            #expect(route[path: "spec", "destinations"]?[0]?[path: "match", "kuma.io/service"] == "podinfo_test_svc_9898")
            #expect(try await Self.split(world) == ["podinfo-primary_test_svc_9898": 100, "podinfo-canary_test_svc_9898": 0])
            #expect(try await world.visit("http://podinfo.test:9898/").workload == "podinfo-primary", "the dataplanes route by the TrafficRoute")

            try await world.promotesThenRollsBack(
                metric: "request-success-rate", query: #"envoy_cluster_upstream_rq{service=~"podinfo-canary_test_svc_"#)
            #expect(try await Self.split(world) == ["podinfo-primary_test_svc_9898": 100, "podinfo-canary_test_svc_9898": 0], "back on the primary")
        }
    }

    /// Kuma 2.x: with `--kuma-policy MeshHTTPRoute` the same rollout moves the weights of the MeshHTTPRoute
    /// `podinfo` in the Canary's namespace, on the same dataplane metrics.
    @Test func withMeshHTTPRouteTheWeightsMoveOnKumasCurrentPolicy() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "kuma"
        setup.kumaPolicy = .meshHTTPRoute
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            func backends() async throws -> [String: Int] {
                let route = try await world.json(["get", "meshhttproute", "podinfo", "-n", "test"])
                let refs = route[path: "spec", "to"]?[0]?["rules"]?[0]?[path: "default", "backendRefs"]?.arrayValue ?? []
                return Dictionary(
                    refs.map { ($0[path: "labels", "kuma.io/display-name"]?.stringValue ?? "", $0["weight"]?.intValue ?? -1) },
                    uniquingKeysWith: { first, _ in first })
            }
            let route = try await world.json(["get", "meshhttproute", "podinfo", "-n", "test"])
            #expect(route[path: "metadata", "labels", "kuma.io/mesh"] == "default" && route[path: "spec", "targetRef", "kind"] == "Mesh")
            #expect(try await backends() == ["podinfo-primary": 100, "podinfo-canary": 0])
            #expect(try await world.kubectl.run(["get", "trafficroute", "podinfo"]).status != 0, "no TrafficRoute")
            #expect(try await world.visit("http://podinfo.test:9898/").workload == "podinfo-primary", "the dataplanes route by the MeshHTTPRoute")

            try await world.promotesThenRollsBack(
                metric: "request-success-rate", query: #"envoy_cluster_upstream_rq{service=~"podinfo-canary_test_svc_"#)
            #expect(try await backends() == ["podinfo-primary": 100, "podinfo-canary": 0], "back on the primary")
        }
    }
}
