import CanaryAPI
@testable import CanaryCore
import Foundation
import KubeCore
import Testing

/// Rollout budgets as pure functions of a policy's status: first come first served, per-namespace limits,
/// slots of Canaries that are gone dropped, and the state machine waiting for a slot and giving it back only
/// once the status that ends the analysis is written.
@Suite struct RolloutSlotsTests {
    static func policy(max: Int, perNamespace: Int? = nil, holders: [String] = [], queue: [String] = []) -> RolloutPolicy {
        var policy = RolloutPolicy(name: "shared-libs", spec: RolloutPolicy.Spec(maxProgressing: max, maxProgressingPerNamespace: perNamespace))
        policy.status = RolloutPolicy.Status(
            holders: holders.isEmpty ? nil : holders.map { RolloutPolicy.SlotHolder(canary: $0, since: "2026-12-06T16:00:00Z") },
            queue: queue.isEmpty ? nil : queue)
        return policy
    }

    static func holders(_ status: RolloutPolicy.Status) -> [String] { (status.holders ?? []).map(\.canary) }

    @Test func slotsGoInArrivalOrderAndAFreedOneToTheHeadOfTheQueue() {
        var policy = Self.policy(max: 2)
        for canary in ["a/1", "a/2", "a/3", "a/4"] {
            policy.status = RolloutSlots.acquire(policy, canary: canary, now: t0, exists: { _ in true })
        }
        #expect(Self.holders(policy.status!) == ["a/1", "a/2"] && policy.status?.queue == ["a/3", "a/4"])
        let again = RolloutSlots.acquire(policy, canary: "a/4", now: t0, exists: { _ in true })
        #expect(again == policy.status!, "asking again keeps the place")
        policy.status = RolloutSlots.release(policy, canary: "a/1", now: t0, exists: { _ in true })
        #expect(Self.holders(policy.status!) == ["a/2", "a/3"] && policy.status?.queue == ["a/4"], "the head of the queue gets the freed slot")
    }

    @Test func aNamespaceAtItsLimitKeepsItsPlaceWhileOthersGo() {
        let policy = Self.policy(max: 3, perNamespace: 1, holders: ["a/1"], queue: ["a/2", "b/1"])
        let status = RolloutSlots.acquire(policy, canary: "c/1", now: t0, exists: { _ in true })
        #expect(Self.holders(status) == ["a/1", "b/1", "c/1"] && status.queue == ["a/2"])
    }

    @Test func aCanaryThatIsGoneLosesItsSlotAndItsPlace() {
        let policy = Self.policy(max: 1, holders: ["a/deleted"], queue: ["a/gone", "a/2"])
        let status = RolloutSlots.acquire(policy, canary: "a/3", now: t0, exists: { !$0.contains("deleted") && !$0.contains("gone") })
        #expect(Self.holders(status) == ["a/2"] && status.queue == ["a/3"])
        let none = RolloutSlots.acquire(Self.policy(max: 0), canary: "a/1", now: t0, exists: { _ in true })
        #expect(none.holders == nil && none.queue == ["a/1"], "a budget of 0 holds every rollout")
    }

    @Test func standingSaysWhatItWaitsFor() {
        let standing = RolloutSlots.standing(of: "a/3", under: [Self.policy(max: 2, holders: ["a/1", "a/2"], queue: ["a/9", "a/3"])])
        #expect(!standing.mayAnalyse && standing.queued)
        #expect(standing.waiting == ["2 of 2 in use, 1 ahead in the queue (policy shared-libs)"])
        #expect(RolloutSlots.standing(of: "a/1", under: [Self.policy(max: 2, holders: ["a/1"])]).mayAnalyse)
        #expect(RolloutSlots.standing(of: "a/1", under: []).mayAnalyse, "ungoverned")
    }

    @Test func aNewRevisionWithoutASlotWaitsAndStartsOnceItHoldsOne() {
        let canary = makeCanary(phase: .succeeded, applied: "v1")
        var observation = observe(canary, target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0))
        observation.slots = RolloutSlots.standing(of: "demo/httpbin", under: [Self.policy(max: 1, holders: ["demo/other"])])
        let waiting = CanaryStateMachine.decide(observation)
        #expect(waiting.status.phase == .waiting && waiting.actions.contains(.acquireSlot) && !waiting.actions.contains(.scaleTargetUp))
        #expect(waiting.status.condition("RolloutSlot")?.message == "waiting for a rollout slot: 1 of 1 in use (policy shared-libs)")
        #expect(waiting.events == ["Halt httpbin.demo advancement waiting for a rollout slot: 1 of 1 in use (policy shared-libs)"])
        var still = canary
        still.status = waiting.status
        observation.canary = still
        observation.now = t0.addingTimeInterval(32)
        #expect(CanaryStateMachine.decide(observation).events.isEmpty, "the Event is said once")
        observation.slots = RolloutSlots.standing(of: "demo/httpbin", under: [Self.policy(max: 1, holders: ["demo/httpbin"])])
        let started = CanaryStateMachine.decide(observation)
        #expect(started.status.phase == .progressing && started.actions.contains(.scaleTargetUp))
        #expect(started.status.condition("RolloutSlot")?.reason == "Held")
    }

    @Test func theSlotIsGivenBackOnlyAfterTheEndOfTheAnalysisIsWritten() {
        var observation = observe(
            makeCanary(phase: .finalising, applied: "v2"), target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0))
        observation.slots = RolloutSlots.standing(of: "demo/httpbin", under: [Self.policy(max: 1, holders: ["demo/httpbin"])])
        let ending = CanaryStateMachine.decide(observation)
        #expect(ending.status.phase == .succeeded && !ending.actions.contains(.releaseSlot) && ending.requeueAfter == .zero)
        observation.canary.status = ending.status
        let after = CanaryStateMachine.decide(observation)
        #expect(after.actions.contains(.releaseSlot) && after.status.condition("RolloutSlot") == nil)
    }
}

/// Stop the line: rollbacks among a policy's Canaries are counted within a window; at the limit every selected
/// Canary pauses — no new rollout starts, no step is taken — until the line is resumed.
@Suite struct StopTheLineTests {
    static func policy(holders: [String], rollbacks: [(String, String)] = []) -> RolloutPolicy {
        var spec = RolloutPolicy.Spec(maxProgressing: 5)
        spec.stopTheLine = RolloutPolicy.StopTheLine(rollbacks: 3, within: "1h")
        var policy = RolloutPolicy(name: "shared-libs", spec: spec)
        var status = RolloutPolicy.Status(holders: holders.map { RolloutPolicy.SlotHolder(canary: $0, since: "2026-12-06T15:00:00Z") })
        status.rollbacks = rollbacks.isEmpty ? nil : rollbacks.map { RolloutPolicy.SlotHolder(canary: $0.0, since: $0.1) }
        policy.status = status
        return policy
    }

    static let now = KubeTime(rfc3339: "2026-12-06T16:00:00Z")?.date ?? .distantPast

    @Test func theThirdRollbackWithinTheWindowStopsTheLine() {
        let two = RolloutSlots.release(
            Self.policy(holders: ["a/1", "a/2"], rollbacks: [("a/0", "2026-12-06T14:30:00Z")]), canary: "a/1", rolledBack: true, now: Self.now,
            exists: { _ in true })
        #expect(two.rollbacks?.map(\.canary) == ["a/1"] && two.stopped == nil, "a rollback older than an hour is forgotten")
        let three = RolloutSlots.release(
            Self.policy(holders: ["a/3"], rollbacks: [("a/1", "2026-12-06T15:30:00Z"), ("a/2", "2026-12-06T15:45:00Z")]), canary: "a/3",
            rolledBack: true, now: Self.now, exists: { _ in true })
        #expect(three.stopped?.reason == "3 rollbacks within 1h: a/1, a/2, a/3")
        let promoted = RolloutSlots.release(Self.policy(holders: ["a/3"]), canary: "a/3", rolledBack: false, now: Self.now, exists: { _ in true })
        #expect(promoted.rollbacks == nil, "a promotion is not counted")
        var stopped = Self.policy(holders: [])
        stopped.status = three
        #expect(RolloutSlots.resumed(stopped).stopped == nil && RolloutSlots.resumed(stopped).rollbacks == nil)
    }

    @Test func aStoppedLineHoldsNewRolloutsAndStepsUntilResumed() {
        var stopped = Self.policy(holders: ["demo/httpbin"])
        stopped.status?.stopped = RolloutPolicy.Stop(at: "2026-12-06T15:59:00Z", reason: "3 rollbacks within 1h: a/1, a/2, a/3")
        var observation = observe(
            makeCanary(phase: .succeeded, applied: "v1"), target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 0))
        observation.slots = RolloutSlots.standing(of: "demo/httpbin", under: [stopped], now: Self.now)
        let waiting = CanaryStateMachine.decide(observation)
        #expect(waiting.status.phase == .waiting && waiting.status.condition("RolloutSlot")?.reason == "Stopped")
        #expect(waiting.events.first?.contains("policy shared-libs stopped the line at 2026-12-06T15:59:00Z after 3 rollbacks within 1h") == true)
        var running = observe(
            makeCanary(phase: .progressing, weight: 20, applied: "v2"), target: WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1))
        running.slots = observation.slots
        let held = CanaryStateMachine.decide(running)
        #expect(held.pending == nil && held.status.canaryWeight == 20 && held.status.phase == .progressing, "no step while stopped")
        #expect(
            CanaryAlerts.alert(for: "Stop the line: policy shared-libs paused its Canaries after 3 rollbacks within 1h: a/1", canary: running.canary)?
                .severity == .error)
    }
}
