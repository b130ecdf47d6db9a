import CanaryAPI
@testable import CanaryCore
import Foundation
import KubeCore
import Testing

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

func makeCanary(
    phase: CanaryPhase? = nil, weight: Int = 0, failed: Int = 0, applied: String? = "v1", promoted: String? = "v1",
    lastTransition: Date = t0, stepWeight: Int = 20, maxWeight: Int = 100, threshold: Int = 2
) -> Canary {
    var analysis = CanaryAnalysis(interval: "30s", threshold: threshold, maxWeight: maxWeight, stepWeight: stepWeight)
    analysis.metrics = [CanaryMetric(name: "request-success-rate", thresholdRange: ThresholdRange(min: 99))]
    var canary = Canary(
        metadata: ObjectMeta(name: "httpbin", namespace: "demo"),
        spec: CanarySpec(
            targetRef: TargetReference(apiVersion: "apps/v1", kind: "Deployment", name: "httpbin"),
            service: CanaryService(port: 8000), analysis: analysis))
    if let phase {
        var status = CanaryStatus(phase: phase)
        status.canaryWeight = weight
        status.failedChecks = failed
        status.lastAppliedSpec = applied
        status.lastPromotedSpec = promoted
        status.lastTransitionTime = KubeTime(lastTransition).description
        canary.status = status
    }
    return canary
}

func observe(
    _ canary: Canary, now: Date = t0.addingTimeInterval(31),
    target: WorkloadState? = WorkloadState(templateHash: "v1", readiness: .ready, replicas: 1),
    routes: Routes? = .allPrimary, primary: WorkloadState? = WorkloadState(templateHash: "v1", readiness: .ready, replicas: 1),
    checks: CheckResults? = nil
) -> Observation {
    Observation(now: now, canary: canary, target: target, primary: primary, routes: routes, checks: checks)
}

@Suite struct InitializationTests {
    @Test func aRevisionThePrimaryAlreadyRunsIsAdoptedWithoutAnAnalysis() {
        // Flagger's hashes in the status; the primary (promoted by Flagger) runs the target's template.
        let canary = makeCanary(phase: .succeeded, applied: "5486d8cc9b", promoted: "5486d8cc9b")
        let adopted = CanaryStateMachine.decide(observe(canary, primary: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 1)))
        #expect(adopted.status.phase == .succeeded && adopted.status.lastAppliedSpec == "v1" && adopted.status.lastPromotedSpec == "v1")
        #expect(adopted.events.isEmpty && !adopted.actions.contains(.scaleTargetUp))
        let other = CanaryStateMachine.decide(observe(canary, primary: WorkloadState(templateHash: "", readiness: .ready, replicas: 1)))
        #expect(other.status.phase == .progressing, "a primary running something else: the target's revision is analysed")
    }

    @Test func waitsForThePrimaryThenScalesTheTargetToZero() {
        let waiting = CanaryStateMachine.decide(
            observe(makeCanary(), primary: WorkloadState(templateHash: "v1", readiness: .waiting("0 of 1 ready"), replicas: 1)))
        #expect(waiting.status.phase == .initializing)
        #expect(waiting.events == ["httpbin-primary.demo not ready: 0 of 1 ready"])
        var knative = makeCanary()
        knative.spec.targetRef = TargetReference(apiVersion: "serving.knative.dev/v1", kind: "Service", name: "httpbin")
        let revision = CanaryStateMachine.decide(
            observe(
                knative, primary: WorkloadState(templateHash: "v1", readiness: .waiting("Knative Revision httpbin-00001 is not ready"), replicas: 1)))
        #expect(revision.events == ["httpbin.demo not ready: Knative Revision httpbin-00001 is not ready"], "a Knative Service has no -primary")
        let done = CanaryStateMachine.decide(observe(makeCanary()))
        #expect(done.status.phase == .initialized)
        #expect(done.status.lastAppliedSpec == "v1" && done.status.lastPromotedSpec == "v1")
        #expect(done.actions == [.scaleTargetToZero, .event(.normal, "Initialization done! httpbin.demo")])
        #expect(done.status.condition("Promoted")?.status == "True")
    }
}

@Suite struct ProgressionTests {
    @Test func aNewRevisionScalesUpTheCanaryAndStartsProgressing() {
        let decision = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .initialized),
                target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)))
        #expect(decision.status.phase == .progressing && decision.status.lastAppliedSpec == "v2")
        #expect(decision.actions == [.event(.normal, "New revision detected! Scaling up httpbin.demo"), .scaleTargetUp])
        #expect(decision.requeueAfter == .seconds(30))
    }

    @Test func returningToThePromotedSpecStartsNoAnalysis() {
        let decision = CanaryStateMachine.decide(observe(makeCanary(phase: .succeeded, applied: "v2", promoted: "v1")))
        #expect(decision.status.phase == .succeeded && decision.status.lastAppliedSpec == "v1")
        #expect(decision.actions.isEmpty)
    }

    @Test(arguments: [(0, 20, "Starting canary analysis for httpbin.demo"), (20, 40, nil), (60, 80, nil), (80, 100, nil)])
    func eachDueStepAdvancesTheWeightByStepWeight(from: Int, to: Int, extra: String?) {
        let canary = makeCanary(phase: .progressing, weight: from)
        let decision = CanaryStateMachine.decide(
            observe(
                canary, routes: Routes(primary: 100 - from, canary: from),
                checks: from == 0 ? nil : CheckResults(failures: [])))
        #expect(decision.status.canaryWeight == to)
        #expect(decision.actions.contains(.setRoutes(Routes(primary: 100 - to, canary: to))))
        #expect(decision.events.contains("Advance httpbin.demo canary weight \(to)"))
        if let extra { #expect(decision.events.first == extra) }
        #expect(decision.requeueAfter == .seconds(30))
    }

    @Test func aStepThatIsNotDueYetWaitsForTheRest() {
        let canary = makeCanary(phase: .progressing, weight: 40)
        let observation = observe(canary, now: t0.addingTimeInterval(10), routes: Routes(primary: 60, canary: 40))
        let decision = CanaryStateMachine.decide(observation)
        #expect(decision.pending == nil, "no checks before the step is due")
        #expect(decision.actions.isEmpty && decision.status == canary.status)
        #expect(decision.requeueAfter == .seconds(20))
    }

    @Test func liveRoutesThatDriftedAreSetBackToTheStatusWeight() {
        let decision = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .progressing, weight: 40), now: t0.addingTimeInterval(5),
                routes: Routes(primary: 100, canary: 0)))
        #expect(decision.actions == [.setRoutes(Routes(primary: 60, canary: 40))], "after a crash between status and routes")
    }

    @Test func aFailedCheckHaltsAndCountsAndTheThresholdRollsBack() {
        let halt = "Halt httpbin.demo advancement success rate 80.00% < 99%"
        let first = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .progressing, weight: 40, failed: 0), routes: Routes(primary: 60, canary: 40),
                checks: CheckResults(failures: [halt])))
        #expect(first.status.failedChecks == 1 && first.status.canaryWeight == 40 && first.status.phase == .progressing)
        #expect(first.events == [halt])
        let second = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .progressing, weight: 40, failed: 1), routes: Routes(primary: 60, canary: 40),
                checks: CheckResults(failures: [halt])))
        #expect(second.status.phase == .failed && second.status.canaryWeight == 0 && second.status.failedChecks == 2)
        #expect(
            second.actions == [
                .event(.warning, halt), .event(.warning, "Rolling back httpbin.demo failed checks threshold reached 2"),
                .setRoutes(.allPrimary), .event(.warning, "Canary failed! Scaling down httpbin.demo"), .scaleTargetToZero,
            ])
        #expect(second.status.condition("Promoted")?.status == "False")
    }

    @Test func aCanaryThatCannotBecomeReadyRollsBack() {
        let decision = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .progressing, weight: 20),
                target: WorkloadState(templateHash: "v1", readiness: .failed("deployment \"httpbin\" exceeded its progress deadline"), replicas: 1)))
        #expect(decision.status.phase == .failed)
        #expect(
            decision.events.prefix(3) == [
                "canary deployment httpbin.demo not ready: deployment \"httpbin\" exceeded its progress deadline",
                "Rolling back httpbin.demo progress deadline exceeded deployment \"httpbin\" exceeded its progress deadline",
                "Canary failed! Scaling down httpbin.demo",
            ])
        #expect(decision.actions.contains(.scaleTargetToZero))
    }

    @Test func aNewerRevisionMidAnalysisRestartsIt() {
        let decision = CanaryStateMachine.decide(
            observe(makeCanary(phase: .progressing, weight: 60, failed: 1), routes: Routes(primary: 40, canary: 60)).with {
                $0.target = WorkloadState(templateHash: "v3", readiness: .ready, replicas: 1)
            })
        #expect(decision.status.canaryWeight == 0 && decision.status.failedChecks == 0 && decision.status.lastAppliedSpec == "v3")
        #expect(decision.actions == [.setRoutes(.allPrimary), .event(.normal, "New revision detected! Restarting analysis for httpbin.demo")])
    }

    @Test func stepWeightsFollowTheLadderUpToItsLastStep() {
        var canary = makeCanary(phase: .progressing)
        canary.spec.analysis?.stepWeight = nil
        canary.spec.analysis?.stepWeights = [5, 10, 50]
        #expect(canary.nextWeight(after: 0) == 5 && canary.nextWeight(after: 5) == 10 && canary.nextWeight(after: 10) == 50)
        #expect(canary.maxWeight == 50)
    }
}

@Suite struct PromotionTests {
    @Test func atMaxWeightTheTemplateIsCopiedToThePrimary() {
        let decision = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .progressing, weight: 100), routes: Routes(primary: 0, canary: 100),
                checks: CheckResults(failures: [])))
        #expect(decision.status.phase == .promoting)
        #expect(decision.actions == [.event(.normal, "Copying httpbin.demo template spec to httpbin-primary.demo"), .promote])
    }

    @Test func oncePromotedAndReadyTrafficReturnsToThePrimaryThenTheCanaryScalesDown() {
        let waiting = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .promoting, weight: 100, applied: "v2"), routes: Routes(primary: 0, canary: 100),
                primary: WorkloadState(templateHash: "v2", readiness: .waiting("rolling"), replicas: 1)))
        #expect(waiting.status.phase == .promoting && waiting.actions.isEmpty)
        let routed = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .promoting, weight: 100, applied: "v2"), routes: Routes(primary: 0, canary: 100),
                primary: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)))
        #expect(routed.status.phase == .finalising)
        #expect(routed.actions == [.event(.normal, "Routing all traffic to primary"), .setRoutes(.allPrimary)])
        let done = CanaryStateMachine.decide(observe(makeCanary(phase: .finalising, applied: "v2")))
        #expect(done.status.phase == .succeeded && done.status.lastPromotedSpec == "v2")
        #expect(done.actions == [.scaleTargetToZero, .event(.normal, "Promotion completed! Scaling down httpbin.demo")])
    }

    @Test func aPromotionThatDidNotLandIsRepeated() {
        let decision = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .promoting, weight: 100, applied: "v2"), routes: Routes(primary: 0, canary: 100),
                primary: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 1)))
        #expect(decision.actions == [.promote])
    }

    @Test func skipAnalysisPromotesAsSoonAsTheCanaryIsReady() {
        var canary = makeCanary(phase: .progressing, applied: "v2")
        canary.spec.skipAnalysis = true
        let decision = CanaryStateMachine.decide(observe(canary, target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)))
        #expect(decision.status.phase == .succeeded && decision.actions.contains(.promote) && decision.actions.contains(.scaleTargetToZero))
        #expect(decision.events.last == "Promotion completed! Canary analysis was skipped for httpbin.demo")
    }

    @Test func suspendDoesNothing() {
        var canary = makeCanary(phase: .progressing, weight: 40)
        canary.spec.suspend = true
        let decision = CanaryStateMachine.decide(observe(canary))
        #expect(decision.events == ["skipping canary run as object is suspended"] && decision.status == canary.status)
    }
}

extension Observation {
    func with(_ change: (inout Observation) -> Void) -> Observation {
        var copy = self
        change(&copy)
        return copy
    }
}

@Suite struct TerminationTests {
    @Test func aDeletedCanaryGivesTheWorkloadBackToTheTargetBeforeLettingGo() {
        let start = CanaryStateMachine.terminate(
            observe(
                makeCanary(phase: .succeeded),
                target: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 0)))
        #expect(start.status.phase == .terminating)
        #expect(start.actions == [.event(.normal, "Terminating canary httpbin.demo"), .scaleTargetUp])
        let waiting = CanaryStateMachine.terminate(
            observe(
                makeCanary(phase: .terminating),
                target: WorkloadState(templateHash: "v1", readiness: .waiting("0 of 2"), replicas: 2)))
        #expect(waiting.actions.isEmpty && waiting.requeueAfter == .seconds(1))
        let done = CanaryStateMachine.terminate(observe(makeCanary(phase: .terminating)))
        #expect(done.status.phase == .terminated)
        #expect(done.actions == [.event(.normal, "Terminated canary httpbin.demo"), .removeFinalizer])
    }
}

@Suite struct UnobservedRoutesTests {
    @Test func withoutObservedRoutesNoWeightIsSetAndTheCanaryIsLookedAtAgainInASecond() {
        let due = CanaryStateMachine.decide(observe(makeCanary(phase: .progressing, weight: 20), routes: nil, checks: CheckResults(failures: [])))
        #expect(!due.actions.contains { if case .setRoutes = $0 { return true } else { return false } })
        #expect(due.requeueAfter == .seconds(1))
        let known = CanaryStateMachine.decide(observe(makeCanary(phase: .progressing, weight: 20), checks: CheckResults(failures: [])))
        #expect(known.actions.contains(.setRoutes(Routes(primary: 60, canary: 40))), "with routes observed the step moves them")
    }
}
