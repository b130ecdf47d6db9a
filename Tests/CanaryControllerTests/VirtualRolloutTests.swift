import Foundation
import KubeClient
import KubeCore
import SerinTesting
import Synchronization
import Testing

/// Rollout stories on virtual time (``VirtualRollout``): Flagger's own one-minute interval, the whole operator
/// running, and no step able to come early or late because the machine is busy.
@Suite struct VirtualRolloutTests {
    static let analysis: JSONValue = [
        "interval": "1m", "threshold": 2, "stepWeight": 10, "maxWeight": 30,
        "metrics": [["name": "request-success-rate", "thresholdRange": ["min": 99], "interval": "1m"]],
    ]

    /// The shared story (``RolloutStories``), and what only virtual time can promise: every state is seen,
    /// and each step comes no later than one time step after its interval.
    @Test func aGoodReleaseStepsOncePerIntervalToMaxWeightAndIsPromoted() async throws {
        try await VirtualRollout.with { rollout in
            let promoted = try await RolloutStories.aGoodReleaseIsPromotedStepByStep(on: rollout)
            // Finalizing may pass between two looks; every other state is seen.
            #expect(
                promoted.seen.filter { !$0.hasPrefix("Finalizing") }
                    == ["Progressing 0", "Progressing 10", "Progressing 20", "Progressing 30", "Promoting 30", "Succeeded 0"])
            let final = try await rollout.status("podinfo")
            let times = RolloutStories.journalTimes(final, steps: ["Progressing 10%", "Progressing 20%", "Progressing 30%", "Promoting"])
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect((60...65).contains(later.timeIntervalSince(earlier)), "\(earlier) → \(later)")
            }
        }
    }

    /// The shared story, and its timing: two failed checks (threshold 2), an interval apart, after the first step.
    @Test func aReleaseFailingItsSuccessRateRollsBackAtTheThresholdAndKeepsThePrimary() async throws {
        try await VirtualRollout.with { rollout in
            let failed = try await RolloutStories.aFailingReleaseRollsBackAtTheThresholdAndThePrimaryKeepsItsVersion(on: rollout)
            #expect(failed.seen.last == "Failed 0", "traffic back on the primary: \(failed.seen)")
            #expect(failed.elapsed >= .seconds(2 * 60) && failed.elapsed <= .seconds(5 * 60), "\(failed.elapsed)")
        }
    }

    /// Moved from the live `CanaryScenarioTests` (where it needed a 2 s deadline to finish in time): here with
    /// Flagger's and Kubernetes' default ten minutes, which the rollback must wait out and not exceed by more
    /// than a time step. The sandbox's workload simulator stages the never-ready pods on both backends.
    @Test func aCanaryThatNeverBecomesReadyRollsBackWhenItsTenMinuteProgressDeadlinePasses() async throws {
        try await VirtualRollout.with { rollout in
            try await rollout.create(.deployments, ReconcilerHarness.deployment("podinfo"))
            try await rollout.create(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo", analysis: Self.analysis))
            let initialized = try await rollout.advance("podinfo") { $0["phase"] == "Initialized" }
            #expect(initialized.reached, "\(initialized.seen)")

            try await rollout.annotateTemplate("podinfo", ["sandbox.serin.dev/never-ready": "true"])
            let failed = try await rollout.advance("podinfo") { $0["phase"] == "Failed" }
            #expect(failed.reached, "\(failed.seen)")
            #expect(failed.seen.allSatisfy { $0 == "Progressing 0" || $0 == "Failed 0" || $0 == "Initialized 0" }, "no traffic moved: \(failed.seen)")
            #expect(failed.elapsed >= .seconds(600) && failed.elapsed <= .seconds(610), "\(failed.elapsed)")
            let expected = [
                "canary deployment podinfo.demo not ready: deployment \"podinfo\" exceeded its progress deadline",
                "Rolling back podinfo.demo progress deadline exceeded deployment \"podinfo\" exceeded its progress deadline",
            ]
            let recorded = try await eventually { try await Set(expected).isSubset(of: rollout.events("podinfo")) }
            let events = try await rollout.events("podinfo")
            #expect(recorded, "\(events)")
        }
    }
}
