import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import SerinTesting
import Testing
@testable import CanaryController

/// Stop the line on virtual time: two releases of a shared change roll back (`stopTheLine: 2 within 1h`); the
/// line stops with an alerting Warning, a third Canary's release waits (`Stopped`) instead of spreading the
/// change, and goes on once the policy is resumed.
@Suite struct StopTheLineRolloutTests {
    static let analysis: JSONValue = [
        "interval": "1m", "threshold": 2, "stepWeight": 10, "maxWeight": 20,
        "metrics": [["name": "request-success-rate", "thresholdRange": ["min": 99], "interval": "1m"]],
    ]

    static func isStopped(_ status: JSONValue) -> Bool {
        (status["conditions"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "RolloutSlot" && $0["reason"]?.stringValue == "Stopped" }
    }

    static func isFailed(_ status: JSONValue) -> Bool { status["phase"]?.stringValue == "Failed" }
    static func isInitialized(_ status: JSONValue) -> Bool { status["phase"]?.stringValue == "Initialized" }
    static func isSucceeded(_ status: JSONValue) -> Bool { status["phase"]?.stringValue == "Succeeded" }

    @Test func twoRollbacksStopTheLineAndAThirdReleaseWaitsUntilResumed() async throws {
        var setup = VirtualRollout.Setup()
        setup.options = { $0.rolloutPolicies = true }
        try await VirtualRollout.with(setup) { rollout in
            let policy: JSONValue = [
                "apiVersion": "serin.dev/v1alpha1", "kind": "RolloutPolicy", "metadata": ["name": "shared-libs"],
                "spec": ["maxProgressing": 5, "stopTheLine": ["rollbacks": 2, "within": "1h"]],
            ]
            try await rollout.create(RolloutPolicy.resource, policy)
            for name in ["app-a", "app-b", "app-c"] {
                try await rollout.create(.deployments, ReconcilerHarness.deployment(name))
                try await rollout.create(ReconcilerHarness.canaries, ReconcilerHarness.canary(name, analysis: Self.analysis))
                #expect(try await rollout.advance(name, until: Self.isInitialized).reached, "\(name)")
            }
            for name in ["app-a", "app-b"] {
                try await rollout.annotateTemplate(name, ["sandbox.serin.dev/error-ratio": "0.5"])
                #expect(try await rollout.advance(name, until: Self.isFailed).reached, "\(name) rolls back")
            }
            let stop = try await eventually {
                let events = try await rollout.events("app-a") + rollout.events("app-b")
                return events.contains { $0.hasPrefix("Stop the line: policy shared-libs paused its Canaries after 2 rollbacks within 1h") }
            }
            #expect(stop, "the second rollback stops the line, with a Warning (alerted as an error)")

            try await rollout.release("app-c", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let held = try await rollout.advance("app-c", within: .seconds(300), until: Self.isStopped)
            #expect(held.reached && held.seen.last == "Waiting 0", "the shared change stops spreading: \(held.seen)")

            let policies = rollout.client.resource(RolloutPolicy.resource, as: RolloutPolicy.self)
            var stopped = try await policies.get("shared-libs")
            #expect(stopped.status?.stopped != nil)
            stopped.status = RolloutSlots.resumed(stopped)
            _ = try await policies.updateStatus(stopped, name: "shared-libs")  // kubectl serin policy resume shared-libs
            #expect(try await rollout.advance("app-c", until: Self.isSucceeded).reached, "resumed: the release goes on")
        }
    }
}
