import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// A script's `setHeaderRoute` and `setMirrorRoute` steps on the Gateway API: rules ahead of the weighted
/// one, read back exactly, kept by a reconcile, gone when the analysis ends; a prefix becomes an expression.
@Suite struct GatewayAPIStepRoutesTests {
    static func canary() throws -> (Canary, HeaderRoute, MirrorRoute) {
        var canary = try GatewayAPIRouterTests.canary()
        canary.spec.analysis?.stepWeight = nil
        canary.spec.analysis?.maxWeight = nil
        canary.spec.analysis?.steps = [
            CanaryStep(setHeaderRoute: IstioStepRoutesTests.insiders),
            CanaryStep(setMirrorRoute: [
                "name": "copy", "percentage": 50, "match": [["method": ["exact": "GET"], "headers": ["x-b": ["prefix": "a.b"]]]],
            ]),
            CanaryStep(setWeight: 20),
        ]
        var issues = ValidationIssues()
        let header = try #require(HeaderRoute.parse(IstioStepRoutesTests.insiders, "h", into: &issues))
        let mirror = try #require(canary.spec.analysis?.steps?[1].setMirrorRoute.flatMap { MirrorRoute.parse($0, "m", into: &issues) })
        return (canary, header, mirror)
    }

    @Test func headerAndMirrorRulesGoAheadOfTheWeightedRuleAndAreReadBack() throws {
        let (canary, header, mirror) = try Self.canary()
        let routes = Routes(primary: 80, canary: 20, headerRoutes: [header], mirrorRoutes: [mirror])
        let route = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil, routes: routes)
        let rules = try #require(route[path: "spec", "rules"]?.arrayValue)
        #expect(rules.count == 3)
        #expect(
            rules[0]["matches"] == [
                ["path": ["type": "PathPrefix", "value": "/"], "headers": [["name": "x-canary", "type": "Exact", "value": "insider"]]]
            ])
        #expect(rules[0]["backendRefs"]?.arrayValue?.map { $0["name"] } == ["podinfo-canary"])
        #expect(rules[1]["matches"]?[0]?["method"] == "GET")
        #expect(
            rules[1]["matches"]?[0]?["headers"] == [["name": "x-b", "type": "RegularExpression", "value": "a\\.b.*"]], "a prefix as an expression")
        let mirrorFilter = rules[1]["filters"]?.arrayValue?.first { $0["type"] == "RequestMirror" }
        #expect(
            mirrorFilter?[path: "requestMirror", "percent"] == 50 && mirrorFilter?[path: "requestMirror", "backendRef", "name"] == "podinfo-canary")
        #expect(rules[1]["backendRefs"] == rules[2]["backendRefs"], "mirrored requests split by the live weights")

        #expect(GatewayAPIRouter.weights(in: route, canary: canary) == routes)
        #expect(GatewayAPIRouter.desiredHTTPRoute(canary, live: route) == route, "a reconcile keeps them")
        let ended = GatewayAPIRouter.desiredHTTPRoute(canary, live: route, routes: .allPrimary)
        #expect(ended[path: "spec", "rules"]?.arrayValue?.count == 1, "the analysis over: the weighted rule alone")

        var edited = route, first = rules[1]
        first["matches"] = [["path": ["type": "PathPrefix", "value": "/"], "method": "POST"]]
        edited[path: "spec", "rules"] = .array([rules[0], first, rules[2]])
        let read = try #require(GatewayAPIRouter.weights(in: edited, canary: canary))
        #expect(read.canary == 20 && read.mirrorRoutes != routes.mirrorRoutes, "a rule edited by hand is rewritten")
        let reconciled = GatewayAPIRouter.desiredHTTPRoute(canary, live: edited)[path: "spec", "rules"]?.arrayValue ?? []
        #expect(reconciled.count == 2 && reconciled.allSatisfy { $0["matches"] != [] }, "the edited rule dropped, never written unmatched")

        var timed = canary
        timed.spec.service?.timeout = "9s"  // every rendering changes: the live header rule is no longer the script's
        let afterEdit = try #require(GatewayAPIRouter.weights(in: route, canary: timed))
        #expect(afterEdit.primary == 80 && afterEdit.canary == 20, "the header rule is never taken for the weighted one: \(afterEdit)")
        let rewrittenRules = GatewayAPIRouter.desiredHTTPRoute(timed, live: route)[path: "spec", "rules"]?.arrayValue ?? []
        #expect(rewrittenRules.last?["backendRefs"]?[1]?["weight"] == 20, "a reconcile keeps the weights")

        var pruned = route, mirrorRule = rules[1]
        mirrorRule[path: "filters"] = .array(
            (mirrorRule["filters"]?.arrayValue ?? []).map { filter in
                var filter = filter
                filter[path: "requestMirror", "percent"] = nil
                return filter
            })
        pruned[path: "spec", "rules"] = .array([rules[0], mirrorRule, rules[2]])
        #expect(GatewayAPIRouter.weights(in: pruned, canary: canary) == routes, "a CRD that drops percent is no drift")
    }

    @Test func aMethodIsMatchedExactlyAndNotOnAGRPCRoute() throws {
        var (canary, _, _) = try Self.canary()
        canary.spec.analysis?.steps?[1].setMirrorRoute = ["name": "copy", "match": [["method": ["prefix": "G"]]]]
        var issues = ValidationIssues()
        GatewayAPIRouter.validation(.gatewayAPIV1).check(canary, &issues)
        #expect(issues.all.map(\.field).contains("spec.analysis.steps[1].setMirrorRoute.match[0].method"), "\(issues.all)")
        canary.spec.service?.appProtocol = "grpc"
        issues = ValidationIssues()
        GatewayAPIRouter.validation(.gatewayAPIV1).check(canary, &issues)
        #expect(issues.all.contains { $0.field == "spec.analysis.steps[0].setHeaderRoute" && $0.message.contains("grpc") }, "\(issues.all)")
    }
}
