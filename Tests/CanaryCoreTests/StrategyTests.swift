import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Routers
import Testing

/// A Canary in Progressing with `iterations` (and A/B `match` when given), at its first analysis step.
func iterating(_ iterations: Int, match: [JSONValue]? = nil, hooks: [(String, WebhookType)] = []) -> Canary {
    var canary = makeCanary(phase: .progressing, stepWeight: 0)
    canary.spec.analysis?.stepWeight = nil
    canary.spec.analysis?.iterations = iterations
    canary.spec.analysis?.match = match
    return hooks.isEmpty ? canary : withHooks(canary, hooks)
}

/// Takes `ticks` analysis steps, each an interval after the last, the routes following each decision;
/// returns every decision.
func run(_ canary: Canary, ticks: Int, hooks: [WebhookType: [HookResult]] = [:], splitsTraffic: Bool = true) -> [Decision] {
    var canary = canary
    var routes = Routes.allPrimary
    var now = t0
    var decisions: [Decision] = []
    for _ in 0..<ticks {
        now = now.addingTimeInterval(31)
        var observation = observe(canary, now: now, routes: routes)
        observation.splitsTraffic = splitsTraffic
        let (decision, _) = decideAnswering(observation, hooks: hooks)
        for case .setRoutes(let next) in decision.actions { routes = next }
        canary.status = decision.status
        decisions.append(decision)
    }
    return decisions
}

@Suite struct StrategyTests {
    @Test func theStrategyFollowsIterationsAndMatchAsInFlagger() {
        #expect(makeCanary().strategy == .canary)
        #expect(iterating(3).strategy == .blueGreen)
        #expect(iterating(3, match: [["headers": ["x-canary": ["exact": "insider"]]]]).strategy == .abTesting)
        #expect(iterating(3).validate().isEmpty, "blue/green is no longer refused")
    }

    @Test func blueGreenKeepsTrafficOnThePrimaryForEachIterationThenSwitchesAndPromotes() {
        let decisions = run(iterating(3), ticks: 5)
        #expect(
            decisions.map(\.events) == [
                ["Starting canary analysis for httpbin.demo", "Advance httpbin.demo canary iteration 1/3"],
                ["Advance httpbin.demo canary iteration 2/3"],
                ["Advance httpbin.demo canary iteration 3/3"],
                ["Routing all traffic to canary"],
                ["Copying httpbin.demo template spec to httpbin-primary.demo"],
            ])
        #expect(
            decisions.prefix(3).allSatisfy { !$0.actions.contains { if case .setRoutes = $0 { true } else { false } } },
            "no traffic moves during the iterations")
        #expect(decisions[3].actions.contains(.setRoutes(Routes(primary: 0, canary: 100))))
        #expect(decisions[4].actions.contains(.promote) && decisions[4].status.phase == .promoting)
        #expect(decisions.map { $0.status.iterations ?? 0 } == [1, 2, 3, 4, 4])
        #expect(decisions.allSatisfy { ($0.status.canaryWeight ?? 0) == 0 })
    }

    @Test func abTestingSendsTheMatchingRequestsToTheCanaryFromTheFirstIteration() {
        let decisions = run(iterating(2, match: [["headers": ["x-canary": ["exact": "insider"]]]]), ticks: 3)
        #expect(decisions[0].actions.contains(.setRoutes(Routes(primary: 0, canary: 100))))
        #expect(
            decisions.map(\.events) == [
                ["Starting canary analysis for httpbin.demo", "Advance httpbin.demo canary iteration 1/2"],
                ["Advance httpbin.demo canary iteration 2/2"],
                ["Copying httpbin.demo template spec to httpbin-primary.demo"],
            ])
        #expect(decisions[2].status.phase == .promoting)
    }

    @Test func theConfirmPromotionGateHoldsTheLastIterationAndTheAnalysisGoesOn() {
        let canary = iterating(1, hooks: [("approval", .confirmPromotion)])
        let closed = run(canary, ticks: 3, hooks: [.confirmPromotion: [HookResult(name: "approval", passed: false, message: "Forbidden")]])
        #expect(closed.map(\.status.phase) == [.progressing, .waitingPromotion, .waitingPromotion])
        #expect(closed[1].events == ["Halt httpbin.demo advancement waiting for promotion approval approval"])
        #expect(!closed.contains { $0.actions.contains(.promote) })
        let opened = run(canary, ticks: 3, hooks: [.confirmPromotion: [HookResult(name: "approval", passed: true)]])
        #expect(opened.last?.status.phase == .promoting)
    }

    @Test func failedChecksRollBackABlueGreenWithAllTrafficOnThePrimary() {
        var canary = iterating(5)
        canary.spec.analysis?.threshold = 2
        var status = canary.status ?? CanaryStatus()
        status.iterations = 4
        status.failedChecks = 1
        canary.status = status
        let (decision, _) = decideAnswering(
            observe(canary, now: t0.addingTimeInterval(31), routes: .allPrimary),
            metrics: CheckResults(failures: ["Halt httpbin.demo advancement success rate 90.00% < 99%"]))
        #expect(decision.status.phase == .failed)
        #expect(decision.status.iterations == 0)
        #expect(decision.actions.contains(.setRoutes(.allPrimary)) && decision.actions.contains(.scaleTargetToZero))
    }

    @Test func promotingABlueGreenKeepsTrafficOnTheCanaryUntilThePrimaryIsReady() {
        var canary = iterating(2)
        var status = CanaryStatus(phase: .promoting)
        status.iterations = 3
        status.lastAppliedSpec = "v1"
        status.lastTransitionTime = KubeTime(t0).description
        canary.status = status
        let rolling = WorkloadState(templateHash: "v1", readiness: .waiting("1 of 2 ready"), replicas: 2)
        let waiting = CanaryStateMachine.decide(observe(canary, routes: .allPrimary, primary: rolling))
        #expect(waiting.actions.contains(.setRoutes(Routes(primary: 0, canary: 100))), "the canary serves while the primary rolls out")
        let ready = CanaryStateMachine.decide(observe(canary, routes: Routes(primary: 0, canary: 100)))
        #expect(ready.events == ["Routing all traffic to primary"] && ready.status.phase == .finalising)
    }

    @Test func blueGreenWithMirroringCopiesThePrimarysRequestsToTheCanaryDuringTheIterations() {
        var canary = iterating(2)
        canary.spec.analysis?.mirror = true
        #expect(canary.validate().isEmpty)
        let decisions = run(canary, ticks: 4)
        #expect(decisions[0].actions.contains(.setRoutes(Routes(primary: 100, canary: 0, mirrored: true))))
        #expect(decisions[2].events == ["Stop traffic mirroring and route all traffic to canary"])
        #expect(decisions[2].actions.contains(.setRoutes(Routes(primary: 0, canary: 100))))
        #expect(decisions[3].actions.contains(.promote))
    }

    @Test func aCanaryWithMirroringMirrorsForOneStepThenShiftsWeightsWithoutAskingTheTrafficGateOutOfTheMirror() {
        var canary = withHooks(makeCanary(phase: .progressing), [("gate", .confirmTrafficIncrease)])
        canary.spec.analysis?.mirror = true
        canary.spec.analysis?.mirrorWeight = 50
        #expect(canary.validate().isEmpty)
        let gate = [WebhookType.confirmTrafficIncrease: [HookResult(name: "gate", passed: true)]]
        let decisions = run(canary, ticks: 4, hooks: gate)
        #expect(decisions[0].actions.contains(.setRoutes(Routes(primary: 100, canary: 0, mirrored: true))))
        #expect(decisions[0].events.contains("Advance httpbin.demo canary weight 0") && decisions[0].status.iterations == 1)
        #expect(decisions[1].actions.contains(.setRoutes(Routes(primary: 80, canary: 20))), "out of the mirror, the first weighted step")
        #expect(decisions[1].events.last == "Advance httpbin.demo canary weight 20")
        #expect(decisions[2].actions.contains(.setRoutes(Routes(primary: 60, canary: 40))))
        #expect(decisions[3].status.iterations == 1, "the mirror step is counted once")
        let gated = decisions.map { $0.events.filter { $0.hasPrefix("Confirm-traffic-increase") }.count }
        #expect(gated[1] == 0 && gated[0] == 1 && gated[2] == 1, "the gate is asked on every step but the one out of the mirror: \(gated)")
    }

    @Test func mirroringWithABTestingAndAMirrorWeightWithoutMirrorAreRefusedByName() {
        var canary = iterating(2)
        canary.spec.analysis?.match = [["headers": ["x-canary": ["exact": "insider"]]]]
        canary.spec.analysis?.mirror = true
        #expect(
            canary.validate().map(\.description).contains {
                $0.hasPrefix("spec.analysis.mirror: A/B testing sends the matching requests to the canary")
            })
        var weighted = iterating(2)
        weighted.spec.analysis?.mirrorWeight = 50
        #expect(weighted.validate().map(\.description) == ["spec.analysis.mirrorWeight: needs mirror: true"])
    }

    @Test func blueGreenWithoutAMeshPromotesAfterItsIterationsAndAnnouncesNoRouting() {
        let decisions = run(iterating(2), ticks: 3, splitsTraffic: false)
        #expect(
            decisions.map(\.events) == [
                ["Starting canary analysis for httpbin.demo", "Advance httpbin.demo canary iteration 1/2"],
                ["Advance httpbin.demo canary iteration 2/2"],
                ["Copying httpbin.demo template spec to httpbin-primary.demo"],
            ])
        #expect(!decisions.contains { $0.actions.contains { if case .setRoutes = $0 { true } else { false } } }, "nothing to route")
        var canary = iterating(2)
        canary.spec.provider = "kubernetes"
        #expect(canary.validate(RouterRegistry.validationContext()).isEmpty)
        canary.spec.analysis?.match = [["headers": ["x-canary": ["exact": "insider"]]]]
        #expect(
            canary.validate(RouterRegistry.validationContext()).map(\.description) == [
                "spec.analysis.match: A/B testing is not supported when using the kubernetes provider"
            ])
    }
}

@Suite struct SessionAffinityTests {
    func pinned() -> Canary {
        var canary = makeCanary(phase: .progressing)
        canary.metadata.uid = "uid-1"
        var affinity = SessionAffinity(cookieName: "flagger-cookie")
        affinity.maxAge = 21600
        canary.spec.analysis?.sessionAffinity = affinity
        return canary
    }

    @Test func theCanaryCookieIsSetWithTheFirstWeightedStepAndExpiresWhenTrafficIsBack() {
        let first = run(pinned(), ticks: 1)[0]
        #expect(first.status.canaryWeight == 20)
        let cookie = first.status.sessionAffinityCookie ?? ""
        #expect(cookie.wholeMatch(of: /flagger-cookie=[A-Za-z]{10}/) != nil, "\(cookie)")
        #expect(run(pinned(), ticks: 1)[0].status.sessionAffinityCookie == cookie, "decided again, the same cookie")
        var back = pinned()
        var status = first.status
        status.canaryWeight = 0
        back.status = status
        let after = CanaryStateMachine.decide(observe(back, now: t0.addingTimeInterval(1)))
        #expect(after.status.sessionAffinityCookie == nil && after.status.previousSessionAffinityCookie == cookie)
    }

    @Test func thePrimaryCookieLivesWhileTrafficIsSplitAndDiffersFromTheCanaryCookie() {
        var canary = pinned()
        canary.spec.analysis?.sessionAffinity?.primaryCookieName = "flagger-primary"
        let first = run(canary, ticks: 1)[0]
        let primary = first.status.primarySessionAffinityCookie ?? ""
        #expect(primary.wholeMatch(of: /flagger-primary=[A-Za-z]{10}/) != nil, "\(primary)")
        #expect(primary.dropFirst("flagger-primary=".count) != (first.status.sessionAffinityCookie ?? "").dropFirst("flagger-cookie=".count))
        #expect(run(pinned(), ticks: 1)[0].status.primarySessionAffinityCookie == nil, "no primaryCookieName, no primary cookie")
        var back = canary
        var status = first.status
        status.canaryWeight = 0
        back.status = status
        let after = CanaryStateMachine.decide(observe(back, now: t0.addingTimeInterval(1)))
        #expect(after.status.primarySessionAffinityCookie == nil && after.status.previousSessionAffinityCookie == first.status.sessionAffinityCookie)
    }

    @Test func aBadBlockIsRefusedByField() {
        var canary = pinned()
        canary.spec.analysis?.sessionAffinity?.cookieName = "bad cookie"
        canary.spec.analysis?.sessionAffinity?.primaryCookieName = "bad;cookie"
        canary.spec.analysis?.sessionAffinity?.sameSite = "Sometimes"
        let fields = canary.validate().map(\.field)
        #expect(fields.contains("spec.analysis.sessionAffinity.cookieName"))
        #expect(fields.contains("spec.analysis.sessionAffinity.primaryCookieName"))
        #expect(fields.contains("spec.analysis.sessionAffinity.sameSite"))
        #expect(pinned().validate().isEmpty)
        var same = pinned()
        same.spec.analysis?.sessionAffinity?.primaryCookieName = "flagger-cookie"
        #expect(same.validate().map(\.description) == ["spec.analysis.sessionAffinity.primaryCookieName: must differ from cookieName"])
        #expect(SessionAffinity(cookieName: "c").setCookie("c=abc") == "c=abc; Max-Age=86400")
    }
}
