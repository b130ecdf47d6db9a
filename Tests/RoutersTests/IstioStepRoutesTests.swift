import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// A script's `setHeaderRoute` and `setMirrorRoute` steps on Istio: named routes ahead of the weighted one,
/// within `service.match`, read back exactly, kept by a reconcile, gone when the analysis ends.
@Suite struct IstioStepRoutesTests {
    static let insiders: JSONValue = ["name": "insiders", "match": [["headerName": "X-Canary", "headerValue": ["exact": "insider"]]]]
    static let copy: JSONValue = ["name": "copy", "percentage": 50, "match": [["method": ["exact": "GET"]]]]

    static func canary() throws -> (Canary, HeaderRoute, MirrorRoute) {
        var canary = try fullCanary()
        canary.spec.analysis?.stepWeight = nil
        canary.spec.analysis?.maxWeight = nil
        canary.spec.analysis?.steps = [CanaryStep(setHeaderRoute: insiders), CanaryStep(setMirrorRoute: copy), CanaryStep(setWeight: 20)]
        var issues = ValidationIssues()
        let header = try #require(HeaderRoute.parse(insiders, "h", into: &issues))
        let mirror = try #require(MirrorRoute.parse(copy, "m", into: &issues))
        #expect(issues.all.isEmpty)
        return (canary, header, mirror)
    }

    @Test func headerAndMirrorRoutesGoAheadOfTheWeightedRouteAndAreReadBack() throws {
        let (canary, header, mirror) = try Self.canary()
        let service = IstioRouter.desiredVirtualService(canary, live: nil)
        let routes = Routes(primary: 80, canary: 20, headerRoutes: [header], mirrorRoutes: [mirror])
        let http = try #require(IstioRouter.routed(service, canary: canary, routes: routes)?.arrayValue)
        #expect(http.map { $0["name"]?.stringValue } == ["insiders", "copy", nil])
        #expect(http[0]["match"] == [["uri": ["prefix": "/api"], "headers": ["x-canary": ["exact": "insider"]]]], "within service.match")
        #expect(http[0]["route"] == [["destination": ["host": "podinfo-canary", "port": ["number": 9898]], "weight": 100]])
        #expect(http[0]["timeout"] == "5s" && http[0]["rewrite"] == ["uri": "/"], "Serin's route fields, as the weighted route has them")
        #expect(http[1]["match"] == [["uri": ["prefix": "/api"], "method": ["exact": "GET"]]])
        #expect(http[1]["mirror"] == ["host": "podinfo-canary"] && http[1]["mirrorPercentage"] == ["value": 50])
        #expect(http[1]["route"] == http[2]["route"], "the mirrored requests split by the live weights")
        #expect(http[2]["route"]?[1]?["weight"] == 20)

        var live = service
        live[path: "spec", "http"] = .array(http)
        #expect(IstioRouter.weights(in: live, canary: canary) == routes)
        #expect(IstioRouter.desiredVirtualService(canary, live: live)[path: "spec", "http"] == .array(http), "a reconcile keeps them")
        let ended = try #require(IstioRouter.routed(live, canary: canary, routes: .allPrimary)?.arrayValue)
        #expect(ended.count == 1 && ended[0]["name"] == nil, "the analysis over: the weighted route alone")

        var edited = live, first = http[0]
        first["match"] = [["headers": ["x-canary": ["exact": "anyone"]]]]
        edited[path: "spec", "http"] = .array([first] + http.dropFirst())
        let read = try #require(IstioRouter.weights(in: edited, canary: canary))
        #expect(read.headerRoutes == [HeaderRoute(name: "insiders", match: [])] && read != routes, "a route edited by hand is rewritten")
        let rewritten = try #require(IstioRouter.routed(edited, canary: canary, routes: routes)?.arrayValue)
        #expect(rewritten == http)
        let reconciled = IstioRouter.desiredVirtualService(canary, live: edited)[path: "spec", "http"]?.arrayValue ?? []
        #expect(reconciled.map { $0["name"]?.stringValue } == ["copy", nil], "a reconcile drops the edited route, never writes it unmatched")
        #expect(reconciled.allSatisfy { $0["match"] != [] })

        var renamed = canary
        renamed.spec.analysis?.steps?[0].setHeaderRoute?["name"] = "testers"
        let afterRename = try #require(IstioRouter.weights(in: live, canary: renamed))
        #expect(
            afterRename.canary == 20 && afterRename.headerRoutes.map(\.name) == ["insiders"], "a renamed step's route is still not the weighted one")
        #expect(IstioRouter.routed(live, canary: renamed, routes: .allPrimary)?.arrayValue?.count == 1)
    }

    @Test func aStepRouteCannotTakeTheStickyRoutesName() throws {
        var (canary, _, _) = try Self.canary()
        canary.spec.analysis?.steps?[0].setHeaderRoute?["name"] = "sticky-route"
        var issues = ValidationIssues()
        IstioRouter.validation.check(canary, &issues)
        #expect(issues.all.map(\.field) == ["spec.analysis.steps[0].setHeaderRoute.name"])
    }
}
