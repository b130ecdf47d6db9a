import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// The APISIX router's canary ApisixRoute (Flagger's APISIX tutorial), against golden JSON.
@Suite struct APISIXRouterTests {
    static let user: JSONValue = [
        "apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
        "metadata": ["name": "podinfo", "namespace": "test", "labels": ["app": "podinfo"]],
        "spec": [
            "http": [
                [
                    "name": "static", "match": ["hosts": ["app.example.com"], "paths": ["/static/*"]],
                    "backends": [["serviceName": "assets", "servicePort": 80]],
                ],
                [
                    "name": "method", "match": ["hosts": ["app.example.com"], "methods": ["GET"], "paths": ["/*"]],
                    "backends": [["serviceName": "podinfo", "servicePort": 80]],
                    "plugins": [["name": "prometheus", "enable": true, "config": ["disable": false, "prefer_name": true]]],
                ],
            ]
        ],
    ]

    static func canary() throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {"provider": "apisix", "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                          "routeRef": {"apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute", "name": "podinfo"},
                          "service": {"port": 80, "targetPort": 9898}, "analysis": {"interval": "10s", "threshold": 10, "stepWeight": 10, "maxWeight": 50}}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    static let context = ValidationContext(
        meshProvider: .apisix, routers: [.apisix, .kubernetes], implementedRouters: [.istio, .kubernetes, .apisix]
    ).routed

    @Test func theCanaryRouteCopiesTheUsersHTTPRouteAtTheTopPriorityWithNoTrafficYet() throws {
        let canary = try Self.canary()
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let http = try #require(APISIXRouter.httpRoute(sendingTo: "podinfo", in: Self.user))
        #expect(http["name"] == "method")
        let route = APISIXRouter.desiredCanaryRoute(canary, user: Self.user, http: http, live: nil)
        try Golden.check(route, "apisixroute-canary-new")
        #expect(APISIXRouter.canaryRouteName(canary) == "podinfo-podinfo-canary")
        #expect(APISIXRouter.weights(in: route, canary: canary) == .allPrimary)
    }

    @Test func aReconcileKeepsTheLiveWeights() throws {
        let canary = try Self.canary()
        let http = try #require(APISIXRouter.httpRoute(sendingTo: "podinfo", in: Self.user))
        var moved = http
        moved["backends"] = APISIXRouter.backends(canary, template: ["servicePort": 80], Routes(primary: 60, canary: 40))
        var live = APISIXRouter.desiredCanaryRoute(canary, user: Self.user, http: http, live: nil)
        live[path: "spec", "http"] = [moved]
        #expect(APISIXRouter.weights(in: live, canary: canary) == Routes(primary: 60, canary: 40))
        let desired = APISIXRouter.desiredCanaryRoute(canary, user: Self.user, http: http, live: live)
        #expect(APISIXRouter.weights(in: desired, canary: canary) == Routes(primary: 60, canary: 40))
        #expect(APISIXRouter.desiredCanaryRoute(canary, user: Self.user, http: http, live: desired) == desired)
    }

    @Test func aRouteRefIsRequiredAndRefusedElsewhere() throws {
        var canary = try Self.canary()
        canary.spec.routeRef?.kind = "HTTPRoute"
        #expect(canary.validate(Self.context).map(\.description).contains(#"spec.routeRef.kind: "HTTPRoute" is not ApisixRoute"#))
        canary.spec.routeRef = nil
        #expect(canary.validate(Self.context).map(\.description).contains("spec.routeRef: required by the apisix provider"))
        var istio = try Self.canary()
        istio.spec.provider = "istio"
        let issues = istio.validate(ValidationContext().routed).map(\.description)
        #expect(issues.contains("spec.routeRef: used only by the apisix provider; this Canary's provider is istio"), "\(issues)")
    }
}
