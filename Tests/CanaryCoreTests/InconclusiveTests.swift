import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// Inconclusive steps as a state: they wait, count, pause at the limit, and only a person moves them on.
@Suite struct InconclusiveTests {
    static let v2 = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)
    static let inconclusive = CheckResults(
        failures: [], verdict: StepVerdict([.init(name: "request-duration", classification: .inconclusive)], pass: 95, marginal: 75))

    static func canary(steps: Int, limit: Int = 2) -> Canary {
        var canary = makeCanary(phase: .progressing, weight: 20, applied: "v2")
        canary.spec.analysis?.inconclusiveLimit = limit
        canary.status?.inconclusiveSteps = steps
        return canary
    }

    @Test func anInconclusiveStepWaitsThenPausesWithAnAlertAtTheLimit() {
        let first = CanaryStateMachine.decide(
            observe(Self.canary(steps: 0), target: Self.v2, routes: Routes(primary: 80, canary: 20), checks: Self.inconclusive))
        #expect(first.status.inconclusiveSteps == 1 && first.status.canaryWeight == 20 && (first.status.failedChecks ?? 0) == 0)
        #expect(first.events == ["Halt httpbin.demo advancement: inconclusive step 1/2: no score; inconclusive: request-duration"])
        #expect(first.requeueAfter == .seconds(30))
        let second = CanaryStateMachine.decide(
            observe(Self.canary(steps: 1), target: Self.v2, routes: Routes(primary: 80, canary: 20), checks: Self.inconclusive))
        #expect(second.status.inconclusiveSteps == 2)
        let pause =
            "Halt httpbin.demo advancement: the analysis is inconclusive after 2 steps in a row, waiting for kubectl serin promote, abort or retry"
        #expect(second.events.last == pause)
        #expect(CanaryAlerts.alert(for: pause, canary: Self.canary(steps: 1))?.severity == .warn)
        // Paused: no check is asked for, nothing moves, nothing is said again.
        let paused = CanaryStateMachine.decide(observe(Self.canary(steps: 2), target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(paused.pending == nil && paused.events.isEmpty && paused.status.canaryWeight == 20 && paused.requeueAfter == nil)
    }

    @Test func aPassedStepResetsTheCountAndRetryResumesAPausedAnalysis() {
        let passed = CanaryStateMachine.decide(
            observe(Self.canary(steps: 1), target: Self.v2, routes: Routes(primary: 80, canary: 20), checks: CheckResults(failures: [])))
        #expect(passed.status.inconclusiveSteps == nil && passed.status.canaryWeight == 40)
        let failed = CanaryStateMachine.decide(
            observe(Self.canary(steps: 1), target: Self.v2, routes: Routes(primary: 80, canary: 20), checks: CheckResults(failures: ["bad"])))
        #expect(failed.status.inconclusiveSteps == nil && failed.status.failedChecks == 1)
        let retried = CanaryStateMachine.decide(
            observe(ControlRequestTests.requesting(Self.canary(steps: 2), .retry), target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(retried.status.inconclusiveSteps == nil && retried.status.phase == .progressing && retried.clearsRequest)
        #expect(retried.events == ["Retrying the analysis of httpbin.demo requested by alice: inconclusive steps forgotten"])
        // Not paused: retry during an analysis is refused, as before.
        let refused = CanaryStateMachine.decide(
            observe(ControlRequestTests.requesting(Self.canary(steps: 1), .retry), target: Self.v2, routes: Routes(primary: 80, canary: 20)))
        #expect(refused.events.first?.contains("or an analysis paused as inconclusive or frozen, can be retried") == true, "\(refused.events)")
    }

    @Test func aNewRevisionStartsOverWithItsOwnStartTime() {
        let restarted = CanaryStateMachine.decide(
            observe(
                Self.canary(steps: 2), now: t0.addingTimeInterval(100), target: WorkloadState(templateHash: "v3", readiness: .ready, replicas: 1),
                routes: Routes(primary: 80, canary: 20)))
        #expect(restarted.status.inconclusiveSteps == nil && restarted.status.lastAppliedSpec == "v3")
        #expect(restarted.status.analysisStarted == KubeTime(t0.addingTimeInterval(100), precision: .microseconds).description)
    }
}
