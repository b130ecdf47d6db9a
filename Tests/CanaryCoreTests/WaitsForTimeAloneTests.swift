import CanaryAPI
@testable import CanaryCore
import Foundation
import Testing

/// Which decisions let a workload's status change wait for the scheduled time, and which act on it at once.
@Suite struct WaitsForTimeAloneTests {
    static let ready = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)
    static let notReady = WorkloadState(templateHash: "v2", readiness: .waiting("0 of 1 ready"), replicas: 1)

    @Test func betweenStepsWithTheCanaryReadyTheNextStepIsTimeAlone() {
        let early = CanaryStateMachine.decide(
            observe(makeCanary(phase: .progressing, weight: 20, applied: "v2"), now: t0.addingTimeInterval(10), target: Self.ready))
        #expect(early.requeueAfter == .seconds(20) && early.waitsForTimeAlone, "the step is 20 s away")
        let stepped = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .progressing, weight: 20, applied: "v2"), target: Self.ready,
                checks: CheckResults(failures: [], values: [:])))
        #expect(stepped.status.canaryWeight == 40 && stepped.waitsForTimeAlone)
    }

    @Test func aNewRevisionScalingUpIsTimeAloneTheCanarysReadinessIsCheckedAtTheFirstStep() {
        let detected = CanaryStateMachine.decide(
            observe(makeCanary(phase: .succeeded), target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)))
        #expect(detected.actions.contains(.scaleTargetUp) && detected.waitsForTimeAlone)
    }

    @Test func aCanaryNotReadyWaitsForItsWorkload() {
        let waiting = CanaryStateMachine.decide(observe(makeCanary(phase: .progressing, weight: 20, applied: "v2"), target: Self.notReady))
        #expect(waiting.events == ["canary deployment httpbin.demo not ready: 0 of 1 ready"])
        #expect(!waiting.waitsForTimeAlone, "the canary becoming ready is what it waits for")
    }

    @Test func initialisingAndPromotingWaitForTheirPrimary() {
        let initialising = CanaryStateMachine.decide(observe(makeCanary(), primary: Self.notReady))
        #expect(initialising.status.phase == .initializing && !initialising.waitsForTimeAlone)
        let promoting = CanaryStateMachine.decide(observe(makeCanary(phase: .promoting, weight: 100, applied: "v2"), target: Self.ready))
        #expect(!promoting.waitsForTimeAlone, "the primary rolling out is what a promotion waits for")
    }

    @Test func atRestOnlyANewRevisionStartsAnything() {
        let rest = CanaryStateMachine.decide(
            observe(makeCanary(phase: .succeeded), target: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 0)))
        #expect(rest.status.phase == .succeeded && rest.requeueAfter == nil && rest.waitsForTimeAlone)
        let unrouted = CanaryStateMachine.decide(observe(makeCanary(phase: .succeeded), routes: nil))
        #expect(!unrouted.waitsForTimeAlone, "the routes not observed yet: looked at again in a second")
    }

    @Test func aBaselineNotReadyWaitsForIt() {
        var canary = makeCanary(phase: .progressing, weight: 20, applied: "v2")
        canary.spec.analysis?.baseline = CanaryBaseline()
        var observation = observe(canary, now: t0.addingTimeInterval(10), target: Self.ready)
        observation.baseline = SideWorkloadState(workload: Self.notReady, service: true)
        #expect(!CanaryStateMachine.decide(observation).waitsForTimeAlone)
        observation.baseline = SideWorkloadState(workload: Self.ready, service: true)
        #expect(CanaryStateMachine.decide(observation).waitsForTimeAlone)
    }
}
