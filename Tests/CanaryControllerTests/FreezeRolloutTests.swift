import CanaryAPI
import Foundation
import KubeCore
import SerinTesting
import Testing
@testable import CanaryController

/// A freeze window on virtual time: a release made during it waits (`Waiting`, `RolloutSlot` Frozen) and
/// starts once the window closes, then is promoted.
@Suite struct FreezeRolloutTests {
    static func isFrozen(_ status: JSONValue) -> Bool {
        (status["conditions"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "RolloutSlot" && $0["reason"]?.stringValue == "Frozen" }
    }

    @Test func aReleaseDuringAFreezeWindowStartsWhenItCloses() async throws {
        var setup = VirtualRollout.Setup()
        setup.options = { $0.rolloutPolicies = true }
        try await VirtualRollout.with(setup) { rollout in
            let opens = rollout.time.start.addingTimeInterval(-3600), closes = rollout.time.start.addingTimeInterval(1800)
            let policy: JSONValue = [
                "apiVersion": "serin.dev/v1alpha1", "kind": "RolloutPolicy", "metadata": ["name": "release-freeze"],
                "spec": [
                    "freezeWindows": [
                        ["name": "maintenance", "start": .string(KubeTime(opens).description), "end": .string(KubeTime(closes).description)]
                    ]
                ],
            ]
            try await rollout.create(RolloutPolicy.resource, policy)
            try await rollout.create(.deployments, ReconcilerHarness.deployment("podinfo"))
            try await rollout.create(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo"))
            #expect(try await rollout.advance("podinfo") { $0["phase"] == "Initialized" }.reached, "initialization is not a rollout")

            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let frozen = try await rollout.advance("podinfo", within: .seconds(300), until: Self.isFrozen)
            #expect(frozen.reached && frozen.seen.last == "Waiting 0", "\(frozen.seen)")
            let events = try await rollout.events("podinfo")
            #expect(
                events.contains { $0.hasPrefix("Halt podinfo.demo advancement frozen: window maintenance of policy release-freeze until ") },
                "\(events)")

            let started = try await rollout.advance("podinfo", within: .seconds(3600)) { $0["phase"] == "Progressing" }
            #expect(started.reached)
            #expect(rollout.time.date >= closes, "not before the window closed: \(rollout.time.date) < \(closes)")
            #expect(rollout.time.date.timeIntervalSince(closes) <= 65, "within a minute after it")
            #expect(try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }.reached)
        }
    }
}
