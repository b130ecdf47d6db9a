import CanaryAPI
@testable import CanaryCore
import Foundation
import KubeCore
import Testing

/// Freeze windows: cron schedules in a time zone and one-off dates; while one is open no new rollout starts,
/// rollouts under way finish, pause or roll back as the policy says, and an override with a reason lets one
/// Canary through (recorded in an Event). A window that cannot be read counts as open.
@Suite struct FreezeWindowTests {
    static func date(_ text: String) -> Date { KubeTime(rfc3339: text)?.date ?? .distantPast }

    @Test func cronSchedulesReadFieldsAndTimeZones() throws {
        let friday = try CronSchedule(parsing: "0 18 * * 5")
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        // Friday 2026-12-04 18:00 in Berlin is 17:00 UTC.
        #expect(friday.lastFire(atOrBefore: Self.date("2026-12-05T10:00:00Z"), within: 86400, in: berlin) == Self.date("2026-12-04T17:00:00Z"))
        #expect(friday.lastFire(atOrBefore: Self.date("2026-12-04T16:59:00Z"), within: 3600, in: berlin) == nil)
        let steps = try CronSchedule(parsing: "*/15 9-17 1,15 */2 *")
        #expect(steps.lastFire(atOrBefore: Self.date("2026-11-15T10:07:00Z"), within: 3600, in: .gmt) == Self.date("2026-11-15T10:00:00Z"))
        for bad in ["0 18 * *", "60 * * * *", "a * * * *", "*/0 * * * *", "5-1 * * * *"] {
            #expect(throws: CronError.self, "\(bad)") { try CronSchedule(parsing: bad) }
        }
    }

    @Test func windowsOpenCloseAndFailClosed() {
        let weekend = FreezeWindow(name: "weekend", schedule: "0 18 * * 5", duration: "62h", timeZone: "Europe/Berlin")
        #expect(weekend.state(at: Self.date("2026-12-05T12:00:00Z")) == .open(until: Self.date("2026-12-07T07:00:00Z")))
        #expect(weekend.state(at: Self.date("2026-12-07T07:00:00Z")) == .closed)
        let once = FreezeWindow(name: "quarter-end", start: "2026-12-24T00:00:00Z", end: "2027-01-04T00:00:00Z")
        #expect(once.state(at: Self.date("2026-12-31T12:00:00Z")) == .open(until: Self.date("2027-01-04T00:00:00Z")))
        #expect(once.state(at: Self.date("2026-12-06T12:00:00Z")) == .closed)
        if case .unreadable(let why) = FreezeWindow(name: "x", schedule: "soon", duration: "1h").state(at: .now) {
            #expect(why.hasPrefix("schedule: \"soon\" has 1 fields"))
        } else {
            Issue.record("an unreadable window counts as open")
        }
        #expect(FreezeWindow(name: "x", schedule: "0 0 * * *", duration: "1h", timeZone: "Mars/Base").state(at: .now) != .closed)
    }

    static func policy(inFlight: String? = nil) -> RolloutPolicy {
        var spec = RolloutPolicy.Spec()
        spec.freezeWindows = [FreezeWindow(name: "quarter-end", start: "2026-12-24T00:00:00Z", end: "2027-01-04T00:00:00Z")]
        spec.inFlight = inFlight
        var policy = RolloutPolicy(name: "shared-libs", spec: spec)
        policy.status = RolloutPolicy.Status(holders: [RolloutPolicy.SlotHolder(canary: "demo/httpbin", since: "2026-12-20T00:00:00Z")])
        return policy
    }

    static func decide(_ canary: Canary, at text: String, policy: RolloutPolicy = policy(), target: String = "v2") -> Decision {
        var observation = observe(canary, now: Self.date(text), target: WorkloadState(templateHash: target, readiness: .ready, replicas: 1))
        observation.slots = RolloutSlots.standing(of: "demo/httpbin", under: [policy], now: Self.date(text))
        return CanaryStateMachine.decide(observation)
    }

    @Test func anOpenWindowHoldsANewRolloutUntilItClosesUnlessOverridden() {
        let canary = makeCanary(phase: .succeeded, applied: "v1")
        let held = Self.decide(canary, at: "2026-12-31T12:00:00Z")
        #expect(held.status.phase == .waiting && !held.actions.contains(.scaleTargetUp))
        #expect(held.status.condition("RolloutSlot")?.reason == "Frozen")
        #expect(held.events == ["Halt httpbin.demo advancement frozen: window quarter-end of policy shared-libs until 2027-01-04T00:00:00Z"])
        #expect(held.requeueAfter == .seconds(60), "looked at again, at most a minute later")
        var waiting = canary
        waiting.status = held.status
        let after = Self.decide(waiting, at: "2027-01-04T00:00:01Z")
        #expect(after.status.phase == .progressing && after.actions.contains(.scaleTargetUp), "the window closed")

        var overridden = canary
        overridden.metadata.annotations = [
            FreezeOverride.annotation: #"{"by":"alice","reason":"security fix CVE-2026-1","at":"2026-12-31T11:00:00Z"}"#
        ]
        let through = Self.decide(overridden, at: "2026-12-31T12:00:00Z")
        #expect(through.status.phase == .progressing)
        #expect(through.events.contains { $0.hasPrefix("Freeze overridden for httpbin.demo by alice (security fix CVE-2026-1): window quarter-end") })
    }

    @Test func rolloutsUnderWayFinishPauseOrRollBackAsThePolicySays() {
        let running = makeCanary(phase: .progressing, weight: 20, applied: "v2", lastTransition: Self.date("2026-12-31T11:00:00Z"))
        let finish = Self.decide(running, at: "2026-12-31T12:00:00Z", target: "v2")
        #expect(finish.pending == .metrics, "finish: the analysis goes on")
        let pause = Self.decide(running, at: "2026-12-31T12:00:00Z", policy: Self.policy(inFlight: "pause"), target: "v2")
        #expect(pause.status.phase == .progressing && pause.status.canaryWeight == 20 && pause.pending == nil)
        #expect(pause.events.first?.hasPrefix("Halt httpbin.demo advancement: paused by window quarter-end") == true, "\(pause.events)")
        let rollback = Self.decide(running, at: "2026-12-31T12:00:00Z", policy: Self.policy(inFlight: "rollback"), target: "v2")
        #expect(rollback.status.phase == .failed && rollback.actions.contains(.scaleTargetToZero))
        #expect(
            rollback.events.first
                == "Rolling back httpbin.demo: window quarter-end of policy shared-libs until 2027-01-04T00:00:00Z (inFlight: rollback)")
    }
}
