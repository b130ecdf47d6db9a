import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// The Contour router's HTTPProxy (Flagger's Contour tutorial Canary), against golden JSON.
@Suite struct ContourRouterTests {
    static func canary(analysis: String = #"{"interval": "30s", "threshold": 5, "stepWeight": 5, "maxWeight": 50}"#) throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {"provider": "contour", "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                          "service": {"port": 80, "targetPort": 9898, "timeout": "15s", "retries": {"attempts": 3, "perTryTimeout": "5s", "retryOn": "5xx"}},
                          "analysis": \(analysis)}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    static let context = ValidationContext(
        meshProvider: .contour, routers: [.contour, .kubernetes], implementedRouters: [.istio, .kubernetes, .contour]
    ).routed

    @Test func aNewHTTPProxySendsEverythingToThePrimaryWithTheTimeoutAndRetryPolicies() throws {
        let canary = try Self.canary()
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let proxy = ContourRouter.desiredHTTPProxy(canary, live: nil)
        try Golden.check(proxy, "httpproxy-new")
        #expect(ContourRouter.weights(in: proxy, canary: canary) == .allPrimary)
    }

    @Test func anABTestHasARoutePerMatchBlockThenTheDefaultRoute() throws {
        let canary = try Self.canary(
            analysis: #"""
                {"interval": "30s", "threshold": 5, "iterations": 10,
                 "match": [{"headers": {"x-canary": {"exact": "insider"}}}, {"headers": {"user-agent": {"prefix": "Mozilla"}}}]}
                """#)
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let proxy = ContourRouter.desiredHTTPProxy(canary, live: nil)
        try Golden.check(proxy, "httpproxy-ab")
        let moved = ContourRouter.routes(canary, Routes(primary: 0, canary: 100))
        #expect(
            moved.count == 3 && moved[1][path: "services"]?[1]?["weight"] == 100 && moved[2][path: "services"]?[0]?["weight"] == 100,
            "both match routes on the canary, the default on the primary: \(moved)")
    }

    @Test func aReconcileKeepsTheLiveWeightsAndTheRootsIncludes() throws {
        let canary = try Self.canary()
        var live = ContourRouter.desiredHTTPProxy(canary, live: nil)
        live[path: "spec", "routes"] = .array(ContourRouter.routes(canary, Routes(primary: 80, canary: 20)))
        live[path: "spec", "ingressClassName"] = "contour"
        let desired = ContourRouter.desiredHTTPProxy(canary, live: live)
        #expect(ContourRouter.weights(in: desired, canary: canary) == Routes(primary: 80, canary: 20))
        #expect(desired[path: "spec", "ingressClassName"] == "contour")
        #expect(ContourRouter.desiredHTTPProxy(canary, live: desired) == desired)
    }

    @Test func whatAnHTTPProxyCannotCarryIsRefusedByName() throws {
        var canary = try Self.canary(
            analysis: #"""
                {"interval": "30s", "threshold": 5, "iterations": 10, "match": [{"headers": {"x-a": {"regex": ".*"}}, "queryParams": {"q": {"exact": "1"}}}]}
                """#)
        canary.spec.service?.headers = ["request": ["add": ["x": "y"]]]
        canary.spec.service?.match = [["uri": ["exact": "/api"]]]
        let issues = canary.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            "spec.service.headers: not supported by the contour router",
            "spec.service.match: the contour router takes one block with uri.prefix only",
            "spec.analysis.match[0].queryParams: Contour matches a canary by headers only",
            "spec.analysis.match[0].headers.x-a: Contour matches a header by exact, prefix or suffix only",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
    }

    @Test func theIngressClassFlagIsWrittenWhenSet() throws {
        let canary = try Self.canary()
        #expect(
            ContourRouter.desiredHTTPProxy(canary, live: nil, ingressClass: "contour-external")[path: "spec", "ingressClassName"]
                == "contour-external")
        #expect(ContourRouter.desiredHTTPProxy(canary, live: nil)[path: "spec", "ingressClassName"] == nil)
    }
}
