import CanaryAPI
@testable import CanaryCore
import Foundation
import Testing

/// `analysis.baseline`: the baseline exists only while an analysis is under way, has the canary's weight, and
/// is never left behind.
@Suite struct BaselineTests {
    static func canary(phase: CanaryPhase? = nil, weight: Int = 0, failed: Int = 0, applied: String? = "v1") -> Canary {
        var canary = makeCanary(phase: phase, weight: weight, failed: failed, applied: applied, maxWeight: 40)
        canary.spec.analysis?.baseline = CanaryBaseline()
        return canary
    }

    static let ready = SideWorkloadState(workload: WorkloadState(templateHash: "p1", readiness: .ready, replicas: 1), service: true)

    /// The actions a decision takes on the baseline, in order.
    static func baselineActions(_ decision: Decision) -> [CanaryAction] {
        decision.actions.filter { [.applyBaseline, .deleteBaseline].contains($0) }
    }

    @Test func aNewRevisionStartsTheBaselineWithTheCanary() {
        let decision = CanaryStateMachine.decide(
            observe(Self.canary(phase: .initialized), target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)))
        #expect(decision.status.phase == .progressing)
        #expect(decision.actions == [.event(.normal, "New revision detected! Scaling up httpbin.demo"), .scaleTargetUp, .applyBaseline])
    }

    @Test func theAnalysisWaitsForTheBaselineWithoutMovingTraffic() {
        let missing = CanaryStateMachine.decide(observe(Self.canary(phase: .progressing)))
        #expect(missing.status == Self.canary(phase: .progressing).status && missing.requeueAfter == .seconds(5))
        #expect(missing.actions == [.event(.normal, "Starting baseline httpbin-baseline.demo"), .applyBaseline])
        let starting = SideWorkloadState(workload: WorkloadState(templateHash: "p1", readiness: .waiting("0 of 1 ready"), replicas: 1), service: true)
        let waiting = CanaryStateMachine.decide(observe(Self.canary(phase: .progressing)).with { $0.baseline = starting })
        #expect(waiting.actions == [.event(.warning, "baseline deployment httpbin-baseline.demo not ready: 0 of 1 ready")])
        let noService = SideWorkloadState(workload: Self.ready.workload, service: false)
        #expect(
            Self.baselineActions(CanaryStateMachine.decide(observe(Self.canary(phase: .progressing)).with { $0.baseline = noService })) == [
                .applyBaseline
            ])
    }

    @Test func aBaselineThatCannotBecomeReadyRollsBackAndGoes() {
        let failed = SideWorkloadState(
            workload: WorkloadState(templateHash: "p1", readiness: .failed("deadline exceeded"), replicas: 1), service: true)
        let decision = CanaryStateMachine.decide(
            observe(Self.canary(phase: .progressing, weight: 20), routes: Routes(primary: 60, canary: 20, baseline: 20)).with { $0.baseline = failed }
        )
        #expect(decision.status.phase == .failed)
        #expect(decision.events.first == "Rolling back httpbin.demo baseline httpbin-baseline.demo not ready: deadline exceeded")
        #expect(decision.actions.suffix(2) == [.scaleTargetToZero, .deleteBaseline])
        #expect(decision.actions.contains(.setRoutes(.allPrimary)))
    }

    @Test(arguments: [(0, 20), (20, 40)])
    func eachStepGivesTheBaselineTheCanarysWeight(from: Int, to: Int) {
        let decision = CanaryStateMachine.decide(
            observe(
                Self.canary(phase: .progressing, weight: from), routes: Routes(primary: 100 - 2 * from, canary: from, baseline: from),
                checks: from == 0 ? nil : CheckResults(failures: [])
            ).with { $0.baseline = Self.ready })
        #expect(decision.status.canaryWeight == to)
        #expect(decision.actions.contains(.setRoutes(Routes(primary: 100 - 2 * to, canary: to, baseline: to))))
        #expect(Self.baselineActions(decision).isEmpty, "a ready baseline is left alone")
    }

    @Test func driftedRoutesAreSetBackWithTheBaseline() {
        let decision = CanaryStateMachine.decide(
            observe(Self.canary(phase: .progressing, weight: 20), now: t0.addingTimeInterval(5), routes: Routes(primary: 80, canary: 20))
                .with { $0.baseline = Self.ready })
        #expect(decision.actions == [.setRoutes(Routes(primary: 60, canary: 20, baseline: 20))])
    }

    @Test func theBaselineFollowsTheCanarysReplicas() {
        let decision = CanaryStateMachine.decide(
            observe(
                Self.canary(phase: .progressing, weight: 20), now: t0.addingTimeInterval(5),
                target: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 3), routes: Routes(primary: 60, canary: 20, baseline: 20)
            ).with { $0.baseline = Self.ready })
        #expect(decision.actions == [.applyBaseline])
    }

    @Test func promotionGivesTheBaselinesWeightToThePrimaryThenDeletesIt() {
        let decision = CanaryStateMachine.decide(
            observe(
                Self.canary(phase: .progressing, weight: 40), routes: Routes(primary: 20, canary: 40, baseline: 40),
                checks: CheckResults(failures: [])
            ).with { $0.baseline = Self.ready })
        #expect(decision.status.phase == .promoting)
        #expect(
            decision.actions == [
                .event(.normal, "Copying httpbin.demo template spec to httpbin-primary.demo"), .promote,
                .setRoutes(Routes(primary: 60, canary: 40)), .deleteBaseline,
            ])
        let promoting = CanaryStateMachine.decide(
            observe(
                Self.canary(phase: .promoting, weight: 40), routes: Routes(primary: 60, canary: 40),
                primary: WorkloadState(templateHash: "v1", readiness: .waiting("rolling out"), replicas: 1)))
        #expect(!promoting.actions.contains { if case .setRoutes = $0 { true } else { false } }, "the promotion keeps 60/40 without a baseline")
    }

    @Test func aRollbackDeletesTheBaselineAfterRoutingAllTrafficToThePrimary() {
        let decision = CanaryStateMachine.decide(
            observe(
                Self.canary(phase: .progressing, weight: 20, failed: 1), routes: Routes(primary: 60, canary: 20, baseline: 20),
                checks: CheckResults(failures: ["Halt"])
            ).with { $0.baseline = Self.ready })
        #expect(decision.status.phase == .failed)
        let routes = decision.actions.compactMap { if case .setRoutes(let routes) = $0 { routes } else { nil } }
        #expect(routes == [.allPrimary])
        #expect(decision.actions.last == .deleteBaseline)
    }

    @Test(arguments: [CanaryPhase.initialized, .succeeded, .failed])
    func aLeftoverBaselineIsDeletedAfterItsTrafficWentBack(phase: CanaryPhase) {
        let decision = CanaryStateMachine.decide(
            observe(Self.canary(phase: phase), routes: Routes(primary: 60, canary: 20, baseline: 20)).with {
                $0.baseline = SideWorkloadState(service: true)
            })
        #expect(decision.actions == [.setRoutes(.allPrimary), .deleteBaseline])
        let quiet = CanaryStateMachine.decide(observe(Self.canary(phase: phase)))
        #expect(Self.baselineActions(quiet).isEmpty)
    }

    @Test func aCanaryWithoutBaselineNeverHasOne() {
        var canary = Self.canary(phase: .initialized)
        canary.spec.analysis?.baseline = CanaryBaseline(enabled: false)
        let decision = CanaryStateMachine.decide(observe(canary, target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)))
        #expect(decision.status.phase == .progressing && Self.baselineActions(decision).isEmpty)
        #expect(canary.maxWeight == 40)
        canary.spec.analysis?.maxWeight = nil
        #expect(canary.maxWeight == 100)
        canary.spec.analysis?.baseline = CanaryBaseline()
        #expect(canary.maxWeight == 50, "a baseline takes the canary's weight again: at most 50")
    }

    @Test func aDeletedCanaryDeletesItsBaselineBeforeLettingGo() {
        let done = CanaryStateMachine.terminate(observe(Self.canary(phase: .terminating)).with { $0.baseline = Self.ready })
        #expect(done.actions.suffix(2) == [.deleteBaseline, .removeFinalizer])
        let none = CanaryStateMachine.terminate(observe(Self.canary(phase: .terminating)))
        #expect(!none.actions.contains(.deleteBaseline))
    }
}
