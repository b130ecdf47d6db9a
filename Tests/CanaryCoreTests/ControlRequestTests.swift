import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// `kubectl serin promote|abort|retry|pause`: each request is decided through the state machine, only for
/// the revision it names, and cleared whatever its outcome.
@Suite struct ControlRequestTests {
    static func requesting(_ canary: Canary, _ action: ControlRequest.Action, revision: String = "v2", by: String = "alice") -> Canary {
        var canary = canary
        let request = ControlRequest(action: action, revision: revision, by: by, at: "2026-12-01T19:00:00Z")
        canary.metadata.annotations = [ControlRequest.annotation: String(decoding: request.json.serialized(), as: UTF8.self)]
        return canary
    }

    static let v2 = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)

    @Test func promoteFinishesAnAnalysisNowThroughTheNormalPromotion() {
        let canary = Self.requesting(makeCanary(phase: .progressing, weight: 20, applied: "v2"), .promote)
        let decision = CanaryStateMachine.decide(
            observe(canary, now: t0.addingTimeInterval(1), target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(decision.status.phase == .promoting && decision.clearsRequest)
        #expect(decision.actions.contains(.promote))
        #expect(decision.events.first == "Promotion of httpbin.demo requested by alice: skipping the rest of the analysis")
        #expect(
            CanaryAlerts.alert(for: decision.events[0], canary: canary)?.message == "Promotion requested by alice, skipping the rest of the analysis."
        )
        #expect(decision.pending == nil, "no check is run: the request is the verdict")
    }

    @Test func abortRollsBackNowAndSaysWhoAsked() {
        let canary = Self.requesting(makeCanary(phase: .waitingPromotion, weight: 100, applied: "v2"), .abort, by: "bob")
        let decision = CanaryStateMachine.decide(observe(canary, target: Self.v2, routes: Routes(primary: 0, canary: 100)))
        #expect(decision.status.phase == .failed && decision.status.canaryWeight == 0 && decision.clearsRequest)
        #expect(decision.actions.contains(.setRoutes(.allPrimary)) && decision.actions.contains(.scaleTargetToZero))
        #expect(decision.events.first == "Rolling back httpbin.demo: aborted by bob")
        #expect(decision.events.compactMap { CanaryAlerts.alert(for: $0, canary: canary)?.message } == ["Rolling back: aborted by bob"])
    }

    @Test func retryAnalysesTheFailedRevisionAgainWithoutASpecChange() {
        let failed = makeCanary(phase: .failed, failed: 2, applied: "v2")
        let plain = CanaryStateMachine.decide(observe(failed, target: Self.v2))
        #expect(plain.status.phase == .failed, "without a request a failed revision stays failed")
        let decision = CanaryStateMachine.decide(observe(Self.requesting(failed, .retry), target: Self.v2))
        #expect(decision.status.phase == .progressing && decision.status.failedChecks == 0 && decision.status.canaryWeight == 0)
        #expect(decision.actions.contains(.scaleTargetUp) && decision.clearsRequest)
        #expect(decision.events == ["Retrying the analysis of httpbin.demo requested by alice"])
    }

    @Test func aRequestForAnotherRevisionOrPhaseIsRefusedAndCleared() {
        let stale = CanaryStateMachine.decide(
            observe(
                Self.requesting(makeCanary(phase: .progressing, weight: 20, applied: "v3"), .promote),
                target: WorkloadState(templateHash: "v3", readiness: .ready, replicas: 1)))
        #expect(stale.status.phase == .progressing && stale.clearsRequest && !stale.actions.contains(.promote))
        #expect(stale.events == ["Request to promote httpbin.demo requested by alice ignored: it is for revision v2, the Canary is at v3"])
        let done = CanaryStateMachine.decide(
            observe(Self.requesting(makeCanary(phase: .succeeded, applied: "v2", promoted: "v2"), .abort), target: Self.v2))
        #expect(done.status.phase == .succeeded && done.clearsRequest)
        #expect(done.events == ["Request to abort httpbin.demo requested by alice ignored: no analysis is under way (the Canary is Succeeded)"])
        var malformed = makeCanary(phase: .progressing, weight: 20, applied: "v2")
        malformed.metadata.annotations = [ControlRequest.annotation: "promote please"]
        let unreadable = CanaryStateMachine.decide(observe(malformed, target: Self.v2))
        #expect(
            unreadable.clearsRequest
                && unreadable.events == ["Request on httpbin.demo ignored: serin.dev/request is not JSON: unexpected character 'p' at byte 0"])
    }

    @Test func aPausedCanaryHoldsItsStepAndStartsNoRolloutUntilResumed() {
        var paused = makeCanary(phase: .progressing, weight: 20, applied: "v2")
        paused.metadata.annotations = [ControlRequest.pausedAnnotation: #"{"by":"carol","at":"2026-12-01T19:00:00Z"}"#]
        let held = CanaryStateMachine.decide(observe(paused, target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(held.status == paused.status && held.requeueAfter == nil && held.pending == nil)
        #expect(held.events == ["Halt httpbin.demo advancement: paused by carol"])
        var idle = makeCanary(phase: .succeeded)
        idle.metadata.annotations = paused.metadata.annotations
        let noRollout = CanaryStateMachine.decide(observe(idle, target: Self.v2))
        #expect(noRollout.status.phase == .succeeded && !noRollout.actions.contains(.scaleTargetUp))
        paused.metadata.annotations = nil
        #expect(
            CanaryStateMachine.decide(observe(paused, target: Self.v2, routes: Routes(primary: 80, canary: 20))).pending != nil,
            "resumed, the step is due and runs its checks")
    }
}
