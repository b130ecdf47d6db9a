import CanaryAPI
import CanaryCore
import Foundation
import Testing

/// Flagger's alert for each event it alerts on, taken from the events the decisions really emit.
@Suite struct CanaryAlertsTests {
    func alerts(_ decision: Decision, _ canary: Canary) -> [CanaryAlerts.Decided] {
        decision.events.compactMap { CanaryAlerts.alert(for: $0, canary: canary) }
    }

    @Test func aRolloutAlertsOnItsNewRevisionAndItsPromotion() {
        let canary = makeCanary(phase: .succeeded)
        let started = CanaryStateMachine.decide(observe(canary, target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)))
        #expect(
            alerts(started, canary) == [.init(message: "New revision detected, progressing canary analysis.", severity: .info, withMetadata: true)])
        let done = CanaryStateMachine.decide(observe(makeCanary(phase: .finalising, applied: "v2")))
        #expect(
            alerts(done, canary) == [
                .init(message: "Canary analysis completed successfully, promotion finished.", severity: .info, withMetadata: false)
            ])
        let initialized = CanaryStateMachine.decide(observe(makeCanary()))
        #expect(alerts(initialized, canary).map(\.message) == ["New Deployment detected, initialization completed."])
    }

    @Test func rollbacksAndFailedPromotionsAreErrorsAndGatesAreWarnings() {
        let halt = "Halt httpbin.demo advancement success rate 80.00% < 99%"
        let canary = makeCanary(phase: .progressing, weight: 40, failed: 1)
        let rolledBack = CanaryStateMachine.decide(observe(canary, routes: Routes(primary: 60, canary: 40), checks: CheckResults(failures: [halt])))
        #expect(alerts(rolledBack, canary) == [.init(message: "Failed checks threshold reached 2", severity: .error, withMetadata: false)])
        let stuck = CanaryStateMachine.decide(
            observe(
                makeCanary(phase: .progressing, weight: 20),
                target: WorkloadState(templateHash: "v1", readiness: .failed("deployment \"httpbin\" exceeded its progress deadline"), replicas: 1)))
        #expect(alerts(stuck, canary).map(\.message) == ["Progress deadline exceeded deployment \"httpbin\" exceeded its progress deadline"])
        let promoting = makeCanary(phase: .promoting, weight: 100, applied: "v2")
        let failed = CanaryStateMachine.decide(
            observe(
                promoting, routes: Routes(primary: 0, canary: 100),
                primary: WorkloadState(templateHash: "v2", readiness: .failed("exceeded its progress deadline"), replicas: 1)))
        #expect(alerts(failed, canary).map(\.severity) == [.error])
        let gated = withHooks(makeCanary(phase: .succeeded), [("approval", .confirmRollout)])
        let (held, _) = decideAnswering(
            observe(gated, target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)),
            hooks: [.confirmRollout: [HookResult(name: "approval", passed: false, message: "Forbidden")]])
        #expect(
            alerts(held, gated) == [
                .init(message: "Canary is waiting for approval.", severity: .warn, withMetadata: false, gate: "approval", awaitsApproval: true)
            ])
        #expect(CanaryAlerts.alert(for: halt, canary: canary) == nil, "a failed check is an event, not an alert (as Flagger)")
    }

    @Test func theMetadataFieldsAreFlaggers() {
        var canary = makeCanary()
        canary.spec.progressDeadlineSeconds = 120
        #expect(
            CanaryAlerts.metadata(canary).map { "\($0.name)=\($0.value)" }
                == [
                    "Target=Deployment/httpbin.demo", "Failed checks threshold=2", "Progress deadline=120s",
                    "Traffic routing=Weight step: 20 max: 100",
                ])
        canary.spec.analysis?.iterations = 5
        canary.spec.analysis?.stepWeight = nil
        #expect(CanaryAlerts.metadata(canary).last?.value == "Blue/Green")
    }
}
