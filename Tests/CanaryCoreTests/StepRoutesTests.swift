import CanaryAPI
@testable import CanaryCore
import Foundation
import KubeCore
import Testing

/// `setHeaderRoute` and `setMirrorRoute` steps (Serin's, Argo Rollouts' form) on the pure state machine: the
/// routes in force join every route change of the script, by name, until removed or the analysis ends.
@Suite struct StepRoutesTests {
    static let insiders: JSONValue = ["name": "insiders", "match": [["headerName": "X-Canary", "headerValue": ["exact": "insider"]]]]
    static let copy: JSONValue = ["name": "copy", "percentage": 50, "match": [["method": ["exact": "GET"], "path": ["prefix": "/api"]]]]

    static let script = [
        CanaryStep(setHeaderRoute: insiders), CanaryStep(setMirrorRoute: copy), CanaryStep(setWeight: 20),
        CanaryStep(setHeaderRoute: ["name": "insiders"]), CanaryStep(setWeight: 50),
    ]

    static let istio = ValidationContext(
        meshProvider: .istio, routerRules: [.istio: RouterRules(stepRoutes: true), .kubernetes: RouterRules()])

    /// Decides at `now` with the checks passed, the live routes as the last decision set them.
    static func step(_ canary: inout Canary, at now: Date, live: inout Routes) -> Decision {
        let decision = CanaryStateMachine.decide(observe(canary, now: now, routes: live, checks: CheckResults(failures: [])))
        canary.status = decision.status
        for case .setRoutes(let routes) in decision.actions { live = routes }
        return decision
    }

    @Test func headerAndMirrorRoutesJoinTheWeightsUntilRemovedAndEndWithTheAnalysis() throws {
        var canary = StepsTests.canary(Self.script)
        #expect(canary.validate(Self.istio).isEmpty, "\(canary.validate(Self.istio))")
        var live = Routes.allPrimary
        var now = t0.addingTimeInterval(31)
        var issues = ValidationIssues()
        let header = try #require(HeaderRoute.parse(Self.insiders, "", into: &issues))
        let mirror = try #require(MirrorRoute.parse(Self.copy, "", into: &issues))
        #expect(issues.all.isEmpty)
        #expect(header.match == [HeaderRoute.Match(headerName: "x-canary", value: .exact("insider"))], "header names in lower case")

        let first = Self.step(&canary, at: now, live: &live)
        #expect(first.events.last == "Route httpbin.demo requests with header route insiders (x-canary = insider) to the canary: step 1 of 5")
        #expect(live == Routes(primary: 100, canary: 0, headerRoutes: [header]) && canary.status?.canaryWeight == 0)
        now += 31
        let second = Self.step(&canary, at: now, live: &live)
        #expect(
            second.events
                == ["Mirror httpbin.demo requests to the canary by mirror route copy 50% (method = GET and path ^= /api): step 2 of 5"])
        #expect(live.mirrorRoutes == [mirror] && live.headerRoutes == [header])
        now += 31
        let twenty = Self.step(&canary, at: now, live: &live)
        #expect(twenty.events == ["Advance httpbin.demo canary weight 20"])
        #expect(live == Routes(primary: 80, canary: 20, headerRoutes: [header], mirrorRoutes: [mirror]), "a weight keeps the routes in force")
        now += 31
        let removed = Self.step(&canary, at: now, live: &live)
        #expect(removed.events == ["Remove header route insiders of httpbin.demo: step 4 of 5"])
        #expect(live == Routes(primary: 80, canary: 20, mirrorRoutes: [mirror]))
        #expect(canary.scriptRoutesInForce == "mirror copy 50% (method = GET and path ^= /api)")
        now += 31
        _ = Self.step(&canary, at: now, live: &live)
        #expect(live.canary == 50 && live.mirrorRoutes == [mirror])

        var promoting = canary.status ?? CanaryStatus()
        promoting.phase = .promoting
        #expect(CanaryStateMachine.analysisRoutes(canary, promoting) == Routes(primary: 50, canary: 50), "the promotion has no script route")

        // The analysis ends: a rollback routes everything to the primary, no route of the script kept.
        let threshold = canary.threshold
        canary.status?.failedChecks = threshold
        now += 31
        _ = Self.step(&canary, at: now, live: &live)
        #expect(canary.status?.phase == .failed && live == .allPrimary, "\(live)")
    }

    @Test func aHeaderRouteAtWeightZeroIsMeasured() {
        var canary = StepsTests.canary([CanaryStep(setHeaderRoute: Self.insiders), CanaryStep(pause: .init(duration: "5m"))])
        var live = Routes.allPrimary
        _ = Self.step(&canary, at: t0.addingTimeInterval(31), live: &live)
        #expect(canary.status?.currentStep == 0 && live.requestRouted)
        let next = CanaryStateMachine.decide(observe(canary, now: t0.addingTimeInterval(62), routes: live, checks: nil))
        #expect(next.pending == .metrics, "the insiders reach the canary at weight 0: its metrics are asked for")
        var plain = StepsTests.canary([CanaryStep(setWeight: 0), CanaryStep(pause: .init(duration: "5m"))])
        var none = Routes.allPrimary
        _ = Self.step(&plain, at: t0.addingTimeInterval(31), live: &none)
        let quiet = CanaryStateMachine.decide(observe(plain, now: t0.addingTimeInterval(62), routes: none, checks: nil))
        #expect(quiet.pending == nil, "no traffic, no metrics")
    }

    @Test func eachRouteFieldIsCheckedByName() {
        let bad = StepsTests.canary([
            CanaryStep(setHeaderRoute: ["match": [["headerName": "bad header", "headerValue": ["exact": "a", "regex": "b"]]]]),
            CanaryStep(setMirrorRoute: ["name": "Copy", "percentage": 150, "match": [["verb": ["exact": "GET"]]]]),
            CanaryStep(setMirrorRoute: ["name": "insiders", "match": [["path": ["regex": "(("]]]]),
            CanaryStep(setHeaderRoute: Self.insiders),
            CanaryStep(setWeight: 10, setHeaderRoute: Self.insiders),
        ])
        let fields = Set(bad.validate(Self.istio).map(\.field))
        for field in [
            "spec.analysis.steps[0].setHeaderRoute.name", "spec.analysis.steps[0].setHeaderRoute.match[0].headerName",
            "spec.analysis.steps[0].setHeaderRoute.match[0].headerValue", "spec.analysis.steps[1].setMirrorRoute.name",
            "spec.analysis.steps[1].setMirrorRoute.percentage", "spec.analysis.steps[2].setMirrorRoute.match[0].path.regex",
            "spec.analysis.steps[4]",
        ] {
            #expect(fields.contains(field), "\(field) in \(fields.sorted())")
        }
        var unknown = StepsTests.canary([CanaryStep(setMirrorRoute: ["name": "copy", "match": [["verb": ["exact": "GET"]]]])])
        #expect(unknown.validate(Self.istio).map(\.field).contains("spec.analysis.steps[0].setMirrorRoute.match[0].verb"))
        unknown.spec.analysis?.steps = [CanaryStep(setHeaderRoute: Self.insiders), CanaryStep(setMirrorRoute: ["name": "insiders"])]
        #expect(unknown.validate(Self.istio).contains { $0.field == "spec.analysis.steps[1].setMirrorRoute.name" }, "one name, one kind of route")

        var nginx = StepsTests.canary([CanaryStep(setHeaderRoute: Self.insiders)])
        nginx.spec.provider = "kubernetes"
        let refused = nginx.validate(Self.istio).first { $0.field == "spec.analysis.steps[0].setHeaderRoute" }
        #expect(refused?.message == "the kubernetes router cannot route requests by header or mirror them in a step; routers that can: istio")
        var stateful = StepsTests.canary([CanaryStep(setHeaderRoute: Self.insiders)])
        stateful.spec.targetRef?.kind = "StatefulSet"
        #expect(stateful.validate(Self.istio).contains { $0.field == "spec.analysis.steps[0].setHeaderRoute" && $0.message.contains("StatefulSet") })
        var tcp = StepsTests.canary([CanaryStep(setMirrorRoute: Self.copy)])
        tcp.spec.service?.appProtocol = "tcp"
        #expect(tcp.validate(Self.istio).contains { $0.field == "spec.analysis.steps[0].setMirrorRoute" && $0.message.contains("TCP") })
    }

    @Test func aCredentialInAHeaderMatchNeverReachesAnEvent() throws {
        var issues = ValidationIssues()
        let token = try #require(
            HeaderRoute.parse(["name": "ops", "match": [["headerName": "X-Api-Key", "headerValue": ["exact": "s3cr3t-v4lue"]]]], "", into: &issues))
        #expect(token.summary == "ops (x-api-key = REDACTED)")
        let mirror = try #require(MirrorRoute.parse(["name": "copy", "match": [["headers": ["Cookie": ["prefix": "sid="]]]]], "", into: &issues))
        #expect(mirror.summary == "copy 100% (cookie ^= REDACTED)" && issues.all.isEmpty)
        #expect(HeaderRoute.parse(Self.insiders, "", into: &issues)?.summary == "insiders (x-canary = insider)")
    }

    @Test func aLaterStepReplacesARouteOfTheSameNameInPlace() throws {
        let wider: JSONValue = ["name": "insiders", "match": [["headerName": "x-canary", "headerValue": ["prefix": "in"]]]]
        let steps = [
            CanaryStep(setHeaderRoute: Self.insiders),
            CanaryStep(setHeaderRoute: ["name": "beta", "match": [["headerName": "x-beta", "headerValue": ["exact": "1"]]]]),
            CanaryStep(setHeaderRoute: wider),
        ]
        #expect(steps.routes(through: 1).header.map(\.name) == ["insiders", "beta"])
        let replaced = steps.routes(through: 2).header
        #expect(replaced.map(\.name) == ["insiders", "beta"] && replaced[0].match?.first?.value == .prefix("in"), "kept in its place")
        #expect(steps.routes(through: -1).header.isEmpty && steps.routes(through: 99).header.count == 2)
    }
}
