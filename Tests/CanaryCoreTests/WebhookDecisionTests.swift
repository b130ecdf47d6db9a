import CanaryAPI
@testable import CanaryCore
import Foundation
import KubeCore
import Testing

func withHooks(_ canary: Canary, _ hooks: [(String, WebhookType)]) -> Canary {
    var canary = canary
    canary.spec.analysis?.webhooks = hooks.map { CanaryWebhook(name: $0.0, type: $0.1.rawValue, url: "http://loadtester.test/\($0.0)") }
    return canary
}

/// Decides like the controller: answers each pending check from `answers` and decides again.
func decideAnswering(
    _ observation: Observation, hooks answers: [WebhookType: [HookResult]] = [:],
    metrics: CheckResults = CheckResults(failures: [])
) -> (decision: Decision, asked: [Check]) {
    var observation = observation
    var asked: [Check] = []
    var decision = CanaryStateMachine.decide(observation)
    while let check = decision.pending, asked.count < 10 {
        asked.append(check)
        switch check {
        case .hooks(let type, _): observation.hooks[type] = answers[type] ?? []
        case .metrics: observation.checks = metrics
        }
        decision = CanaryStateMachine.decide(observation)
    }
    return (decision, asked)
}

@Suite struct WebhookDecisionTests {
    let v2 = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)

    @Test func aClosedConfirmRolloutGateHoldsANewRevisionInWaiting() {
        let canary = withHooks(makeCanary(phase: .succeeded), [("approval", .confirmRollout)])
        let (held, asked) = decideAnswering(
            observe(canary, target: v2), hooks: [.confirmRollout: [HookResult(name: "approval", passed: false, message: "Forbidden")]])
        #expect(asked == [.hooks(.confirmRollout, phase: .succeeded)])
        #expect(held.status.phase == .waiting && held.status.lastAppliedSpec == "v1", "the revision is not applied while waiting")
        #expect(held.events == ["Halt httpbin.demo advancement waiting for approval approval"])
        #expect(!held.actions.contains(.scaleTargetUp))

        let waiting = withHooks(makeCanary(phase: .waiting), [("approval", .confirmRollout)])
        let early = CanaryStateMachine.decide(observe(waiting, now: t0.addingTimeInterval(5), target: v2))
        #expect(early.pending == nil && early.requeueAfter == .seconds(25), "asked again only every interval")
        let (opened, again) = decideAnswering(observe(waiting, target: v2), hooks: [.confirmRollout: [HookResult(name: "approval", passed: true)]])
        #expect(again == [.hooks(.confirmRollout, phase: .waiting)])
        #expect(opened.status.phase == .progressing && opened.status.lastAppliedSpec == "v2")
        #expect(
            opened.actions == [
                .event(.normal, "Confirm-rollout check approval passed"),
                .event(.normal, "New revision detected! Scaling up httpbin.demo"), .scaleTargetUp,
            ])
    }

    @Test func theFirstStepRunsPreRolloutHooksAndAFailureCountsTowardTheThreshold() {
        let canary = withHooks(makeCanary(phase: .progressing, weight: 0), [("db-migration", .preRollout)])
        let (failed, asked) = decideAnswering(
            observe(canary), hooks: [.preRollout: [HookResult(name: "db-migration", passed: false, message: "exit 1")]])
        #expect(asked == [.hooks(.preRollout, phase: .progressing)], "no metrics before any traffic")
        #expect(failed.status.failedChecks == 1 && failed.status.canaryWeight == 0)
        #expect(
            failed.events == [
                "Starting canary analysis for httpbin.demo", "Halt httpbin.demo advancement pre-rollout check db-migration failed exit 1",
            ])

        let last = withHooks(makeCanary(phase: .progressing, weight: 0, failed: 1), [("db-migration", .preRollout)])
        let (rolledBack, _) = decideAnswering(
            observe(last), hooks: [.preRollout: [HookResult(name: "db-migration", passed: false, message: "exit 1")]])
        #expect(rolledBack.status.phase == .failed)
        #expect(rolledBack.events.contains("Rolling back httpbin.demo failed checks threshold reached 2"))

        let (passed, _) = decideAnswering(observe(canary), hooks: [.preRollout: [HookResult(name: "db-migration", passed: true)]])
        #expect(passed.status.canaryWeight == 20)
        #expect(passed.events.prefix(2) == ["Starting canary analysis for httpbin.demo", "Pre-rollout check db-migration passed"])
    }

    @Test func rolloutHooksRunBeforeTheMetricsAndAFailureSkipsThem() {
        let canary = withHooks(makeCanary(phase: .progressing, weight: 40), [("load-test", .rollout), ("smoke", .rollout)])
        let observation = observe(canary, routes: Routes(primary: 60, canary: 40))
        let (failed, asked) = decideAnswering(
            observation, hooks: [.rollout: [HookResult(name: "load-test", passed: false, message: "connection refused")]])
        #expect(asked == [.hooks(.rollout, phase: .progressing)])
        #expect(failed.events == ["Halt httpbin.demo advancement external check load-test failed connection refused"])
        #expect(failed.status.failedChecks == 1)
        let (advanced, order) = decideAnswering(
            observation, hooks: [.rollout: [HookResult(name: "load-test", passed: true), HookResult(name: "smoke", passed: true)]])
        #expect(order == [.hooks(.rollout, phase: .progressing), .metrics])
        #expect(advanced.status.canaryWeight == 60)
    }

    @Test func aClosedTrafficGateHoldsTheWeightWithoutCountingAFailure() {
        let canary = withHooks(makeCanary(phase: .progressing, weight: 40), [("traffic", .confirmTrafficIncrease)])
        let (held, asked) = decideAnswering(
            observe(canary, routes: Routes(primary: 60, canary: 40)),
            hooks: [.confirmTrafficIncrease: [HookResult(name: "traffic", passed: false)]])
        #expect(asked == [.metrics, .hooks(.confirmTrafficIncrease, phase: .progressing)])
        #expect(held.status.canaryWeight == 40 && held.status.failedChecks == 0 && held.status.phase == .progressing)
        #expect(held.events == ["Halt httpbin.demo advancement waiting for traffic increase approval traffic"])
        #expect(
            held.status.lastTransitionTime == KubeTime(t0.addingTimeInterval(31), precision: .microseconds).description, "next ask one interval later"
        )
    }

    @Test func aClosedPromotionGateWaitsInWaitingPromotionWhileTheAnalysisGoesOn() {
        let canary = withHooks(makeCanary(phase: .progressing, weight: 100), [("promotion", .confirmPromotion)])
        let closed: [WebhookType: [HookResult]] = [.confirmPromotion: [HookResult(name: "promotion", passed: false)]]
        let (held, _) = decideAnswering(observe(canary, routes: Routes(primary: 0, canary: 100)), hooks: closed)
        #expect(held.status.phase == .waitingPromotion && held.status.canaryWeight == 100)
        #expect(held.events == ["Halt httpbin.demo advancement waiting for promotion approval promotion"])
        #expect(!held.actions.contains(.promote))

        let waiting = withHooks(
            makeCanary(phase: .waitingPromotion, weight: 100), [("promotion", .confirmPromotion), ("traffic", .confirmTrafficIncrease)])
        let (still, asked) = decideAnswering(
            observe(waiting, routes: Routes(primary: 0, canary: 100)), hooks: closed,
            metrics: CheckResults(failures: ["Halt httpbin.demo advancement success rate 80.00% < 99%"]))
        #expect(asked == [.metrics], "the analysis continues; the traffic gate is not asked in WaitingPromotion")
        #expect(still.status.failedChecks == 1 && still.status.phase == .waitingPromotion)

        let (promoted, _) = decideAnswering(
            observe(waiting, routes: Routes(primary: 0, canary: 100)),
            hooks: [.confirmPromotion: [HookResult(name: "promotion", passed: true)]])
        #expect(promoted.status.phase == .promoting)
        #expect(
            promoted.actions == [
                .event(.normal, "Confirm-promotion check promotion passed"),
                .event(.normal, "Copying httpbin.demo template spec to httpbin-primary.demo"), .promote,
            ])
    }

    @Test func aRollbackHookAnsweringYesRollsBackAndNoIsReported() {
        let canary = withHooks(makeCanary(phase: .progressing, weight: 40), [("manual", .rollback)])
        let observation = observe(canary, routes: Routes(primary: 60, canary: 40))
        let (rolledBack, asked) = decideAnswering(observation, hooks: [.rollback: [HookResult(name: "manual", passed: true)]])
        #expect(asked == [.hooks(.rollback, phase: .progressing)])
        #expect(rolledBack.status.phase == .failed)
        #expect(
            rolledBack.events.prefix(3) == [
                "Rollback check manual passed", "Rolling back httpbin.demo manual webhook invoked",
                "Canary failed! Scaling down httpbin.demo",
            ])
        let (goesOn, _) = decideAnswering(observation, hooks: [.rollback: [HookResult(name: "manual", passed: false)]])
        #expect(goesOn.status.canaryWeight == 60)
        #expect(goesOn.events.first == "Rollback hook manual not signaling a rollback")
    }

    @Test func postRolloutHooksFollowSuccessAndFailure() {
        let promoting = withHooks(makeCanary(phase: .finalising, weight: 0, applied: "v2"), [("notify", .postRollout)])
        let succeeded = CanaryStateMachine.decide(observe(promoting, primary: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)))
        #expect(succeeded.status.phase == .succeeded && succeeded.actions.last == .runHooks(.postRollout, phase: .succeeded))
        let failing = withHooks(makeCanary(phase: .progressing, weight: 40, failed: 2), [("notify", .postRollout)])
        let failed = CanaryStateMachine.decide(observe(failing, routes: Routes(primary: 60, canary: 40)))
        #expect(failed.status.phase == .failed && failed.actions.last == .runHooks(.postRollout, phase: .failed))
        #expect(
            CanaryStateMachine.hookEvents(.postRollout, HookResult(name: "notify", passed: false, message: "503"), canary: failing)
                == [.event(.warning, "Post-rollout hook notify failed 503")])
    }
}
