import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// `kubectl serin undo`: after a promotion the primary gets its previous revision back and the current one
/// counts as failed; during an analysis it is a rollback; with nothing recorded, or configs it cannot give
/// back, it is refused saying why.
@Suite struct UndoTests {
    static let v2 = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)

    static func primary(previous: String?, blocked: String? = nil) -> WorkloadState {
        var primary = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 2)
        (primary.previous, primary.previousBlocked) = (previous, blocked)
        return primary
    }

    static func undo(_ phase: CanaryPhase, primary: WorkloadState, weight: Int = 0) -> Decision {
        let canary = ControlRequestTests.requesting(makeCanary(phase: phase, weight: weight, applied: "v2"), .undo)
        return CanaryStateMachine.decide(observe(canary, target: Self.v2, routes: Routes(primary: 100 - weight, canary: weight), primary: primary))
    }

    @Test func afterAPromotionThePrimaryGoesBackAndTheRevisionCountsAsFailed() {
        let undone = Self.undo(.succeeded, primary: Self.primary(previous: "v1"))
        #expect(undone.status.phase == .failed && undone.status.lastPromotedSpec == "v1" && undone.status.lastAppliedSpec == "v2")
        #expect(undone.actions.contains(.restorePrevious) && undone.clearsRequest)
        #expect(
            undone.events == [
                "Undo of httpbin.demo requested by alice: httpbin-primary goes back to revision v1, revision v2 counts as failed until the target changes"
            ])
        // Failed at v2: the same revision is not analysed again; a new one is.
        var failed = makeCanary(phase: .failed, applied: "v2")
        failed.status = undone.status
        #expect(
            CanaryStateMachine.decide(observe(failed, target: Self.v2, primary: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 2)))
                .status.phase == .failed)
    }

    @Test func duringAnAnalysisUndoRollsBackAndOtherwiseItIsRefusedSayingWhy() {
        let rolledBack = Self.undo(.progressing, primary: Self.primary(previous: "v1"), weight: 20)
        #expect(
            rolledBack.status.phase == .failed && rolledBack.actions.contains(.scaleTargetToZero) && !rolledBack.actions.contains(.restorePrevious))
        let nothing = Self.undo(.succeeded, primary: Self.primary(previous: nil))
        #expect(nothing.status.phase == .succeeded && !nothing.actions.contains(.restorePrevious))
        #expect(nothing.events.first?.contains("httpbin-primary records no earlier version") == true, "\(nothing.events)")
        let blocked = Self.undo(
            .succeeded, primary: Self.primary(previous: "v1", blocked: "the last promotion changed tracked configs (configmap/app)"))
        #expect(blocked.events.first?.contains("changed tracked configs (configmap/app)") == true && !blocked.actions.contains(.restorePrevious))
        let failed = Self.undo(.failed, primary: Self.primary(previous: "v1"))
        #expect(failed.events.first?.contains("the primary runs the last good version (the Canary is Failed)") == true, "\(failed.events)")
    }
}
