import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// `analysis.onFailure: freeze` (fluxcd/flagger#1186): the check that reaches the threshold holds the weights
/// instead of rolling back, alerts, and waits for `promote`, `abort`, `retry` or a new revision.
@Suite struct FreezeTests {
    static let v2 = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)
    static let live = Routes(primary: 60, canary: 40)

    static func canary(failedChecks: Int, onFailure: String? = "freeze") -> Canary {
        var canary = makeCanary(phase: .progressing, weight: 40, applied: "v2")
        canary.spec.analysis?.onFailure = onFailure
        canary.spec.analysis?.threshold = 2
        canary.status?.failedChecks = failedChecks
        return canary
    }

    @Test func theThresholdFreezesTheWeightsWithAnAlertInsteadOfRollingBack() {
        let reached = CanaryStateMachine.decide(
            observe(Self.canary(failedChecks: 1), target: Self.v2, routes: Self.live, checks: CheckResults(failures: ["error rate 7%"])))
        let frozen =
            "Halt httpbin.demo advancement: failed checks threshold reached 2, frozen at canary weight 40 (analysis.onFailure: freeze), waiting for kubectl serin promote, abort or retry"
        #expect(reached.events == ["error rate 7%", frozen])
        #expect(reached.status.phase == .progressing && reached.status.canaryWeight == 40 && reached.status.failedChecks == 2)
        #expect(!reached.actions.contains(.scaleTargetToZero) && !reached.actions.contains(.setRoutes(.allPrimary)), "no rollback")
        let alert = CanaryAlerts.alert(for: frozen, canary: Self.canary(failedChecks: 1))
        #expect(
            alert?.message == "Canary analysis is frozen after 2 failed checks, waiting for promote, abort or retry." && alert?.severity == .error)

        // Frozen, intervals later: no check asked for, the weights held, nothing said again.
        let later = CanaryStateMachine.decide(
            observe(Self.canary(failedChecks: 2), now: t0.addingTimeInterval(600), target: Self.v2, routes: Self.live))
        #expect(later.pending == nil && later.events.isEmpty && later.status.canaryWeight == 40 && later.requeueAfter == nil)
        #expect(!later.actions.contains { if case .setRoutes = $0 { return true } else { return false } }, "the live weights are the frozen ones")

        // Without the field, Flagger's rollback.
        let rolledBack = CanaryStateMachine.decide(
            observe(
                Self.canary(failedChecks: 1, onFailure: nil), target: Self.v2, routes: Self.live, checks: CheckResults(failures: ["error rate 7%"])))
        #expect(rolledBack.status.phase == .failed && rolledBack.actions.contains(.scaleTargetToZero))
    }

    @Test func promoteAbortRetryAndANewRevisionEachEndTheFreeze() {
        func requested(_ action: ControlRequest.Action) -> Decision {
            CanaryStateMachine.decide(
                observe(ControlRequestTests.requesting(Self.canary(failedChecks: 2), action), target: Self.v2, routes: Self.live))
        }
        #expect(requested(.promote).status.phase == .promoting)
        #expect(requested(.abort).status.phase == .failed && requested(.abort).actions.contains(.scaleTargetToZero))
        let retried = requested(.retry)
        #expect(retried.status.failedChecks == 0 && retried.status.phase == .progressing && retried.status.canaryWeight == 40)
        #expect(retried.events == ["Retrying the analysis of httpbin.demo requested by alice: failed checks forgotten"])
        let fixed = CanaryStateMachine.decide(
            observe(
                Self.canary(failedChecks: 2), target: WorkloadState(templateHash: "v3", readiness: .ready, replicas: 1), routes: Self.live))
        #expect(fixed.status.lastAppliedSpec == "v3" && (fixed.status.failedChecks ?? 0) == 0, "a fixed release starts over")
    }

    @Test func anUnknownValueIsRefusedByName() {
        var canary = Self.canary(failedChecks: 0)
        canary.spec.analysis?.onFailure = "pause"
        #expect(canary.validate().map(\.description).contains("spec.analysis.onFailure: \"pause\" is not a known value (known: rollback, freeze)"))
    }
}
