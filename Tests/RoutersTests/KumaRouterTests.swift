import Analysis
import CanaryAPI
import CanaryCore
import KubeCore
import KubeRuntime
@testable import Routers
import Testing

/// The Kuma router's TrafficRoute (Flagger's Kuma example Canary), against golden JSON and Flagger's queries.
@Suite struct KumaRouterTests {
    static func canary(analysis: String = #"{"interval": "15s", "threshold": 15, "stepWeight": 10, "maxWeight": 50}"#) throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
                 "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1", "annotations": {"kuma.io/mesh": "default"}},
                 "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                          "service": {"port": 9898, "targetPort": 9898, "apex": {"annotations": {"9898.service.kuma.io/protocol": "http"}}},
                          "analysis": \(analysis)}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    static let context = ValidationContext(meshProvider: .kuma, routers: [.kuma, .kubernetes], implementedRouters: [.istio, .kubernetes, .kuma])
        .routed

    @Test func aNewTrafficRouteSplitsTheApexTagAllToThePrimary() throws {
        let canary = try Self.canary()
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let route = KumaRouter.desiredTrafficRoute(canary, live: nil)
        try Golden.check(route, "trafficroute-new")
        #expect(route[path: "spec", "destinations"]?[0]?[path: "match", "kuma.io/service"] == "podinfo_test_svc_9898")
        #expect(route[path: "metadata", "annotations", "9898.service.kuma.io/protocol"] == "http", "the apex metadata, as Flagger")
        #expect(KumaRouter.weights(in: route, canary: canary) == .allPrimary)
    }

    /// Kuma 2.x (`--kuma-policy MeshHTTPRoute`): the MeshHTTPRoute `<svc>` in the Canary's namespace, every
    /// dataplane's requests for the apex MeshService split between the primary's and the canary's.
    @Test func aNewMeshHTTPRouteSplitsTheApexMeshServiceAndAReconcileKeepsItsWeights() throws {
        let canary = try Self.canary()
        let route = KumaMeshHTTPRouter.desiredMeshHTTPRoute(canary, live: nil)
        try Golden.check(route, "meshhttproute-new")
        #expect(route[path: "spec", "to"]?[0]?[path: "targetRef", "labels", "kuma.io/display-name"] == "podinfo")
        #expect(KumaMeshHTTPRouter.weights(in: route, canary: canary) == .allPrimary)
        var live = route
        live[path: "spec", "to"] = KumaMeshHTTPRouter.to(canary, Routes(primary: 70, canary: 30))
        live[path: "metadata", "labels", "kuma.io/mesh"] = "payments"
        let desired = KumaMeshHTTPRouter.desiredMeshHTTPRoute(canary, live: live)
        #expect(KumaMeshHTTPRouter.weights(in: desired, canary: canary) == Routes(primary: 70, canary: 30), "a reconcile keeps the weights")
        #expect(desired[path: "metadata", "labels", "kuma.io/mesh"] == "payments", "the mesh is set at creation only")
        let settings = { () -> RouterSettings in
            var settings = RouterSettings()
            settings.kumaPolicy = .meshHTTPRoute
            return settings
        }()
        let enabled = RouterRegistry.enabled(meshProvider: .kuma, settings: settings).flatMap { $0.resources.compactMap(\.crd) }
        #expect(enabled == ["meshhttproutes.kuma.io"], "the operator then watches MeshHTTPRoutes only: \(enabled)")
    }

    @Test func aReconcileKeepsTheLiveWeightsTheMeshAndOthersMetadata() throws {
        let canary = try Self.canary()
        var live = KumaRouter.desiredTrafficRoute(canary, live: nil)
        live["mesh"] = "payments"
        live[path: "metadata", "annotations", "owner"] = "platform"
        live[path: "spec", "conf", "split"] = KumaRouter.split(canary, Routes(primary: 70, canary: 30))
        #expect(KumaRouter.weights(in: live, canary: canary) == Routes(primary: 70, canary: 30))
        let desired = KumaRouter.desiredTrafficRoute(canary, live: live)
        #expect(desired == live, "a reconcile changes nothing: \(desired)")
        live[path: "spec", "conf", "split"] = [["weight": 100, "destination": ["kuma.io/service": "other_test_svc_80"]]]
        #expect(KumaRouter.weights(in: live, canary: canary) == nil, "no primary, no weights")
    }

    @Test func whatATrafficRouteCannotCarryIsRefusedByName() throws {
        var canary = try Self.canary(
            analysis: #"""
                {"interval": "15s", "threshold": 10, "iterations": 5, "mirror": true, "match": [{"headers": {"x-canary": {"exact": "insider"}}}]}
                """#)
        canary.spec.service?.timeout = "10s"
        canary.spec.service?.hosts = ["podinfo.example.com"]
        let issues = canary.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            "spec.analysis.match: A/B testing is not supported by the kuma provider", "spec.analysis.mirror: not supported by the kuma provider",
            "spec.service.timeout: not supported by the kuma provider", "spec.service.hosts: not used by the kuma provider",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
    }

    @Test func theBuiltinQueriesAreFlaggersOverTheCanarysEnvoyStatistics() throws {
        let template = QueryTemplate(values: ["namespace": "default", "target": "podinfo", "interval": "1m"])
        // Flagger's kuma_test.go expectations, its whitespace removed.
        #expect(
            try template.render(KumaRouter.queries.successRate)
                == #"sum(rate(envoy_cluster_upstream_rq{service=~"podinfo-canary_default_svc_[0-9a-zA-Z-]+",envoy_response_code!~"5.*"}[1m])) / sum(rate(envoy_cluster_upstream_rq{service=~"podinfo-canary_default_svc_[0-9a-zA-Z-]+",}[1m])) * 100"#
        )
        #expect(
            try template.render(KumaRouter.queries.requestDuration)
                == #"histogram_quantile(0.99, sum(rate(envoy_cluster_upstream_rq_time_bucket{service=~"podinfo-canary_default_svc_[0-9a-zA-Z-]+",}[1m])) by (le))"#
        )
        #expect(KumaRouter.queries.durationToMilliseconds == 1 && KumaRouter.queries.requestCount == nil)
    }

    @Test func theTrafficRouteIsClusterScopedAndItsRulesDelete() throws {
        let registration = try #require(RouterRegistry.registration(for: .kuma))
        #expect(registration.resources.compactMap(\.crd) == ["trafficroutes.kuma.io"])
        #expect(!KumaRouter.resource.namespaced)
        #expect(PolicyRule.permissions(of: registration.rules).contains(.init(group: "kuma.io", resource: "trafficroutes", verb: "delete")))
    }
}
