import CanaryAPI
@testable import CanaryCore
import Foundation
import KubeCore
import Testing

/// `analysis.bake`: after the promotion the new primary is analysed at full traffic (phase Finalising, a
/// `Baking` condition); failed checks up to the threshold give the primary back the last good version — at once
/// through `<target>-previous` with `keepPrevious` — and the bake's end is the rollout's Succeeded.
@Suite struct BakeTests {
    static let v2 = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0)

    static func newPrimary(previous: String? = "v1") -> WorkloadState {
        var primary = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 3)
        primary.previous = previous
        return primary
    }

    static func canary(_ phase: CanaryPhase, keepPrevious: Bool = false, bakeStarted: Date? = nil, failed: Int = 0) -> Canary {
        var canary = makeCanary(phase: phase, failed: failed, applied: "v2", promoted: bakeStarted == nil ? "v1" : "v2", threshold: 2)
        canary.spec.analysis?.bake = CanaryBake(duration: "5m", interval: "1m", keepPrevious: keepPrevious)
        canary.status?.bakeStarted = bakeStarted.map { KubeTime($0, precision: .microseconds).description }
        return canary
    }

    static func baking(
        _ canary: Canary, at seconds: Double, checks: CheckResults? = nil, routes: Routes = .allPrimary, primary: WorkloadState = newPrimary(),
        previous: SideWorkloadState = SideWorkloadState()
    ) -> Decision {
        var observation = observe(canary, now: t0.addingTimeInterval(seconds), target: v2, routes: routes, primary: primary, checks: checks)
        observation.previous = previous
        return CanaryStateMachine.decide(observation)
    }

    static let readyPrevious = SideWorkloadState(workload: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 3), service: true)

    @Test func finalisingStartsTheBakeInsteadOfSucceeding() {
        let started = Self.baking(Self.canary(.finalising), at: 1)
        #expect(started.status.phase == .finalising && started.status.bakeStarted != nil)
        #expect(started.status.lastPromotedSpec == "v2", "the primary runs the new revision")
        #expect(started.actions.contains(.scaleTargetToZero) && !started.actions.contains(.restorePrevious))
        #expect(started.status.condition("Baking")?.status == "True" && started.status.condition("Baking")?.reason == "Baking")
        #expect(
            started.events == [
                "Promotion of httpbin.demo finished, baking: httpbin-primary runs revision v2 at full traffic for 5m0s, checked every 1m0s"
            ])
        #expect(started.requeueAfter == .seconds(60))
        #expect(!started.actions.contains(.applyPrevious), "no previous version without keepPrevious")
        #expect(Self.baking(Self.canary(.finalising, keepPrevious: true), at: 1).actions.contains(.applyPrevious))

        var plain = makeCanary(phase: .finalising, applied: "v2")
        plain.spec.analysis?.bake = nil
        #expect(Self.baking(plain, at: 1).status.phase == .succeeded, "without a bake, Flagger's Finalising → Succeeded")
        let unrecorded = Self.baking(Self.canary(.finalising), at: 1, primary: Self.newPrimary(previous: nil))
        #expect(unrecorded.status.phase == .succeeded)
        #expect(unrecorded.events.first == "The bake of httpbin.demo is skipped: httpbin-primary records no earlier version to go back to")
    }

    @Test func eachIntervalTheBakeChecksAndAtTheEndItSucceeds() {
        let canary = Self.canary(.finalising, bakeStarted: t0)
        let early = Self.baking(canary, at: 20)
        #expect(early.pending == nil && early.requeueAfter == .seconds(40) && early.status == canary.status, "not due yet")
        #expect(Self.baking(canary, at: 61).pending == .metrics, "due: the metrics are asked for")
        let passed = Self.baking(canary, at: 61, checks: CheckResults(failures: []))
        #expect(passed.status.phase == .finalising && passed.status.failedChecks == 0 && passed.status.bakeStarted == canary.status?.bakeStarted)
        #expect(passed.status.condition("Baking")?.message?.hasSuffix("0/2 failed checks") == true)
        let done = Self.baking(canary, at: 301)
        #expect(done.status.phase == .succeeded && done.status.bakeStarted == nil && done.status.lastPromotedSpec == "v2")
        #expect(done.status.condition("Baking")?.reason == "Passed")
        #expect(done.events.last == "Promotion completed! Scaling down httpbin.demo")
        #expect(done.events.first?.hasPrefix("Bake of httpbin.demo passed: httpbin-primary ran revision v2 at full traffic for 5m0s") == true)
        #expect(CanaryStateMachine.finishedRollout(from: .finalising, to: done.status.phase), "the bake's end ends the rollout")
        let cleaned = Self.baking(Self.canary(.finalising, keepPrevious: true, bakeStarted: t0), at: 301, previous: Self.readyPrevious)
        #expect(cleaned.actions.last == .deletePrevious, "the previous version goes with the bake")
    }

    @Test func failedChecksUpToTheThresholdGiveThePrimaryTheLastGoodVersionBack() {
        let failing = CheckResults(failures: ["Halt httpbin.demo advancement success rate 40.00% < 99%"])
        let first = Self.baking(Self.canary(.finalising, bakeStarted: t0), at: 61, checks: failing)
        #expect(first.status.phase == .finalising && first.status.failedChecks == 1 && !first.actions.contains(.restorePrevious))
        let second = Self.baking(Self.canary(.finalising, bakeStarted: t0, failed: 1), at: 61, checks: failing)
        #expect(second.status.phase == .failed && second.status.lastPromotedSpec == "v1" && second.status.lastAppliedSpec == "v2")
        #expect(second.status.bakeStarted == nil && second.status.condition("Baking")?.reason == "RolledBack")
        #expect(second.actions.contains(.restorePrevious) && !second.actions.contains { if case .setRoutes = $0 { true } else { false } })
        #expect(second.events.contains("Rolling back httpbin.demo failed checks threshold reached 2"))
        #expect(second.events.last == "Bake of httpbin.demo failed: httpbin-primary goes back to revision v1")
        #expect(CanaryStateMachine.finishedRollout(from: .finalising, to: second.status.phase))
    }

    @Test func withThePreviousVersionKeptTheRollbackIsOneRouteChangeThenTrafficReturns() throws {
        let failing = CheckResults(failures: ["Halt httpbin.demo advancement success rate 40.00% < 99%"])
        let canary = Self.canary(.finalising, keepPrevious: true, bakeStarted: t0, failed: 1)
        let rolled = Self.baking(canary, at: 61, checks: failing, previous: Self.readyPrevious)
        let route = try #require(rolled.actions.firstIndex(of: .setRoutes(.allPrevious)))
        let restore = try #require(rolled.actions.firstIndex(of: .restorePrevious))
        #expect(route < restore, "traffic moves before the primary is rolled back")
        #expect(!rolled.actions.contains(.deletePrevious), "the previous version serves now")
        #expect(
            rolled.events.last == "Bake of httpbin.demo failed: all traffic moved to httpbin-previous (revision v1), httpbin-primary goes back to it")

        var failed = canary
        failed.status = rolled.status
        let rolling = Self.baking(failed, at: 62, routes: .allPrevious, primary: Self.newPrimary(previous: nil), previous: Self.readyPrevious)
        #expect(rolling.actions.isEmpty && rolling.requeueAfter == .seconds(1), "traffic stays on the previous version while the primary rolls")
        let back = Self.baking(
            failed, at: 70, routes: .allPrevious, primary: WorkloadState(templateHash: "v1", readiness: .ready, replicas: 3),
            previous: Self.readyPrevious)
        #expect(back.actions.first == .setRoutes(.allPrimary) && back.actions.last == .deletePrevious)
        #expect(back.events == ["Routing all traffic back to httpbin-primary: it runs revision v1 again"])
        let notReady = SideWorkloadState(workload: WorkloadState(templateHash: "v1", readiness: .waiting("0/3 ready"), replicas: 3), service: true)
        let slow = Self.baking(canary, at: 61, checks: failing, previous: notReady)
        #expect(!slow.actions.contains(.setRoutes(.allPrevious)) && slow.actions.contains(.restorePrevious), "not ready: the rolling rollback")
    }

    @Test func aRollbackInFlightAtACrashIsFinishedOnce() {
        // Traffic moved to the previous version, the status not written: the next operator finishes the rollback.
        let canary = Self.canary(.finalising, keepPrevious: true, bakeStarted: t0, failed: 1)
        let resumed = Self.baking(canary, at: 62, routes: .allPrevious, previous: Self.readyPrevious)
        #expect(resumed.status.phase == .failed && resumed.actions.contains(.restorePrevious) && resumed.status.lastPromotedSpec == "v1")
        // The primary's record went with a restore that landed: it is not asked again.
        let restored = Self.baking(
            canary, at: 62, routes: .allPrevious, primary: WorkloadState(templateHash: "v1", readiness: .waiting("1/3"), replicas: 3),
            previous: Self.readyPrevious)
        #expect(restored.status.phase == .failed && restored.status.lastPromotedSpec == "v1" && !restored.actions.contains(.restorePrevious))
    }

    @Test func requestsDuringTheBakeEndItOrRollItBack() {
        let canary = Self.canary(.finalising, bakeStarted: t0)
        let promoted = Self.baking(ControlRequestTests.requesting(canary, .promote, revision: "v2"), at: 10)
        #expect(promoted.status.phase == .succeeded && promoted.events.first == "Bake of httpbin.demo ended early: promotion requested by alice")
        for action in [ControlRequest.Action.abort, .undo] {
            let rolled = Self.baking(ControlRequestTests.requesting(canary, action, revision: "v2"), at: 10)
            #expect(
                rolled.status.phase == .failed && rolled.actions.contains(.restorePrevious) && rolled.status.lastPromotedSpec == "v1", "\(action)")
        }
    }

    @Test func aNewRevisionDuringTheBakeEndsItAndStartsItsOwnAnalysis() {
        var observation = observe(
            Self.canary(.finalising, keepPrevious: true, bakeStarted: t0), now: t0.addingTimeInterval(10),
            target: WorkloadState(templateHash: "v3", readiness: .ready, replicas: 0), primary: Self.newPrimary())
        observation.previous = Self.readyPrevious
        let next = CanaryStateMachine.decide(observation)
        #expect(next.status.phase == .progressing && next.status.lastAppliedSpec == "v3" && next.status.bakeStarted == nil)
        #expect(next.actions.contains(.scaleTargetUp) && next.actions.last == .deletePrevious)
        #expect(next.events.first == "New revision detected during the bake of httpbin.demo: the bake ends, httpbin-primary keeps revision v2")
        #expect(next.status.condition("Baking")?.reason == "Superseded")
    }
}

/// The bake's alerts: Flagger's success alert at the bake's end (not at the promotion), an info alert when it
/// starts, an error when it fails.
@Suite struct BakeAlertsTests {
    @Test func theBakeAlertsWhenItStartsAndFailsAndSucceedsAtItsEnd() {
        let canary = BakeTests.canary(.finalising)
        let started = BakeTests.baking(canary, at: 1).events.compactMap { CanaryAlerts.alert(for: $0, canary: canary) }
        #expect(started.map(\.message) == ["Promotion finished, baking the new version at full traffic for 5m0s."])
        let failing = CheckResults(failures: ["Halt httpbin.demo advancement success rate 40.00% < 99%"])
        let failed = BakeTests.baking(BakeTests.canary(.finalising, bakeStarted: t0, failed: 1), at: 61, checks: failing).events
            .compactMap { CanaryAlerts.alert(for: $0, canary: canary) }
        #expect(
            failed.map(\.message) == ["Failed checks threshold reached 2", "Bake failed: httpbin-primary goes back to revision v1"]
                && failed.allSatisfy { $0.severity == .error }, "\(failed)")
        let passed = BakeTests.baking(BakeTests.canary(.finalising, bakeStarted: t0), at: 301).events
            .compactMap { CanaryAlerts.alert(for: $0, canary: canary) }
        #expect(passed.map(\.message) == ["Canary analysis completed successfully, promotion finished."])
    }
}
