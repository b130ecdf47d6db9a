import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// The Gateway API router's desired HTTPRoute (Flagger's gateway-api tutorial Canary), against golden JSON.
@Suite struct GatewayAPIRouterTests {
    static func canary(analysis: String = #""analysis": {"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}"#) throws -> Canary {
        try JSONValue(parsing: Array("""
            {"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
             "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
             "spec": {
               "provider": "gatewayapi:v1",
               "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
               "service": {"port": 9898, "hosts": ["www.example.com"],
                           "gatewayRefs": [{"name": "gateway", "namespace": "istio-ingress"}]},
               \(analysis)
             }}
            """.utf8)).decode(as: Canary.self)
    }

    @Test func aNewHTTPRouteSendsEverythingToThePrimaryThroughTheGateway() throws {
        try Golden.check(GatewayAPIRouter.desiredHTTPRoute(try Self.canary(), live: nil), "httproute-new")
    }

    @Test func anABTestMatchesTheCanaryFirstAndSendsTheRestToThePrimary() throws {
        let canary = try Self.canary(analysis: #"""
            "analysis": {"interval": "1m", "threshold": 5, "iterations": 10,
                         "match": [{"headers": {"x-canary": {"exact": "insider"}}}, {"headers": {"cookie": {"regex": "^(.*?;)?(canary=always)(;.*)?$"}}}]}
            """#)
        try Golden.check(GatewayAPIRouter.desiredHTTPRoute(canary, live: nil), "httproute-ab")
    }

    @Test func aReconcileKeepsTheLiveWeightsAndWhatSerinDoesNotOwn() throws {
        let canary = try Self.canary()
        var live = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil)
        live[path: "metadata", "annotations"] = ["owner": "platform"]
        live[path: "spec", "rules"] = [["matches": [["path": ["type": "PathPrefix", "value": "/"]]],
                                        "backendRefs": GatewayAPIRouter.backends(canary, Routes(primary: 70, canary: 30))]]
        let desired = GatewayAPIRouter.desiredHTTPRoute(canary, live: live)
        #expect(GatewayAPIRouter.weights(in: desired, canary: canary) == Routes(primary: 70, canary: 30))
        #expect(desired[path: "metadata", "annotations", "owner"] == "platform")
        #expect(desired == GatewayAPIRouter.desiredHTTPRoute(canary, live: desired), "a second reconcile changes nothing")
    }

    @Test func istioOnlyFieldsAndAMissingGatewayAreRefusedByName() throws {
        var canary = try Self.canary()
        canary.spec.service?.gatewayRefs = nil
        canary.spec.service?.retries = ["attempts": 3]
        let context = ValidationContext(meshProvider: .gatewayAPIV1, routers: [.gatewayAPIV1, .kubernetes],
                                        implementedRouters: [.istio, .kubernetes, .gatewayAPIV1])
        let issues = canary.validate(context).map(\.description).joined(separator: "\n")
        #expect(issues.contains("spec.service.gatewayRefs: required by the Gateway API provider"), "\(issues)")
        #expect(issues.contains("spec.service.retries: not supported by the Gateway API router yet"), "\(issues)")
    }
}
