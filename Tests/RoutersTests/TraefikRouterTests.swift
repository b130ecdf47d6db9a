import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// The Traefik router's TraefikService (Flagger's Traefik tutorial Canary), against golden JSON.
@Suite struct TraefikRouterTests {
    static func canary(analysis: String = #"{"interval": "10s", "threshold": 10, "stepWeight": 5, "maxWeight": 50}"#) throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {"provider": "traefik", "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                          "service": {"port": 80, "targetPort": 9898}, "analysis": \(analysis)}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    static let context = ValidationContext(
        meshProvider: .traefik, routers: [.traefik, .kubernetes], implementedRouters: [.istio, .kubernetes, .traefik]
    ).routed

    @Test func aNewTraefikServiceWeighsOnlyThePrimary() throws {
        let canary = try Self.canary()
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let service = TraefikRouter.desiredTraefikService(canary, live: nil)
        try Golden.check(service, "traefikservice-new")
        #expect(TraefikRouter.weights(in: service, canary: canary) == .allPrimary)
    }

    @Test func theCanaryIsListedWhileItGetsTrafficAndAReconcileKeepsTheWeights() throws {
        let canary = try Self.canary()
        var live = TraefikRouter.desiredTraefikService(canary, live: nil)
        live[path: "spec", "weighted", "services"] = TraefikRouter.weighted(canary, Routes(primary: 90, canary: 10))
        #expect(live[path: "spec", "weighted", "services"]?.arrayValue?.count == 2)
        #expect(TraefikRouter.weights(in: live, canary: canary) == Routes(primary: 90, canary: 10))
        let desired = TraefikRouter.desiredTraefikService(canary, live: live)
        #expect(desired == live, "a reconcile keeps the live weights")
        #expect(TraefikRouter.weighted(canary, .allPrimary).arrayValue?.count == 1, "the canary leaves with its traffic")
    }

    @Test func whatATraefikServiceCannotCarryIsRefusedByName() throws {
        var canary = try Self.canary(
            analysis: #"{"interval": "10s", "threshold": 10, "iterations": 5, "match": [{"headers": {"x-canary": {"exact": "insider"}}}]}"#)
        canary.spec.service?.timeout = "10s"
        canary.spec.service?.hosts = ["app.example.com"]
        let issues = canary.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            "spec.analysis.match: A/B testing is not supported by the traefik router", "spec.service.timeout: not supported by the traefik router",
            "spec.service.hosts: not used by the traefik router",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
    }
}
