import Foundation
import KubeClient
import KubeCore
import SerinTesting
import Testing
@testable import CanaryController

/// Webhooks on virtual time: the operator calls a real `serin loadtester` (and a recording receiver) over
/// HTTP, while the intervals between its calls pass as virtual time. "Held while closed" is checked over ten
/// whole intervals, which the live backend could only sample for a few seconds. Moved from the live
/// `WebhookScenarioTests`; the live path of gates is still taken by the NGINX, Contour and Gateway API
/// scenarios, and the live load test (real `hey`) and webhook timeout stay in `WebhookScenarioTests`.
@Suite struct VirtualWebhookTests {
    /// Flagger's example analysis: one-minute steps of 20% to 100%.
    static func analysis(webhooks: [JSONValue] = [], threshold: Int = 3) -> JSONValue {
        [
            "interval": "1m", "threshold": .int(threshold), "stepWeight": 20, "maxWeight": 100,
            "metrics": [["name": "request-success-rate", "thresholdRange": ["min": 99], "interval": "1m"]],
            "webhooks": .array(webhooks),
        ]
    }

    static let tenIntervals = Duration.seconds(600)

    /// Creates `podinfo` with `analysis` and waits until it is initialized.
    static func initialize(_ rollout: VirtualRollout, analysis: JSONValue) async throws {
        try await rollout.create(.deployments, ReconcilerHarness.deployment("podinfo"))
        try await rollout.create(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo", analysis: analysis))
        let initialized = try await rollout.advance("podinfo") { $0["phase"] == "Initialized" }
        try #require(initialized.reached, "\(initialized.seen)")
    }

    static func primaryImage(_ rollout: VirtualRollout) async throws -> JSONValue? {
        let primary = try await rollout.client.resource(.deployments, as: JSONValue.self).get("podinfo-primary", namespace: "demo")
        return primary[path: "spec", "template", "spec", "containers"]?[0]?["image"]
    }

    @Test func aConfirmRolloutGateHoldsTheReleaseUnscaledUntilOpened() async throws {
        try await VirtualRollout.with(.init(loadTester: true)) { rollout in
            let gate: JSONValue = ["name": "approval", "type": "confirm-rollout", "url": .string(try rollout.loadTester("/gate/check"))]
            try await Self.initialize(rollout, analysis: Self.analysis(webhooks: [gate]))
            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let waiting = try await rollout.advance("podinfo") { $0["phase"] == "Waiting" }
            #expect(waiting.reached, "\(waiting.seen)")
            let held = try await rollout.advance("podinfo", within: Self.tenIntervals) { $0["phase"] != "Waiting" }
            #expect(!held.reached, "held while the gate is closed: \(held.seen)")
            let canary = try await rollout.client.resource(.deployments, as: JSONValue.self).get("podinfo", namespace: "demo")
            #expect(canary[path: "spec", "replicas"] == 0, "the canary is not scaled up")
            #expect(try await rollout.events("podinfo").contains("Halt podinfo.demo advancement waiting for approval approval"))

            #expect(try await rollout.postToLoadTester("/gate/open", canary: "podinfo") == 202)
            let promoted = try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }
            #expect(promoted.reached, "\(promoted.seen)")
            #expect(try await rollout.events("podinfo").contains("Confirm-rollout check approval passed"))
            #expect(try await Self.primaryImage(rollout) == "ghcr.io/stefanprodan/podinfo:6.0.1")
        }
    }

    @Test func aConfirmTrafficIncreaseGateHoldsTheWeightUntilOpened() async throws {
        try await VirtualRollout.with(.init(loadTester: true)) { rollout in
            let gate: JSONValue = ["name": "approval", "type": "confirm-traffic-increase", "url": .string(try rollout.loadTester("/gate/check"))]
            try await Self.initialize(rollout, analysis: Self.analysis(webhooks: [gate]))
            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let moved = try await rollout.advance("podinfo", within: Self.tenIntervals) { ($0["canaryWeight"]?.intValue ?? 0) > 0 }
            #expect(!moved.reached, "no traffic moves while closed: \(moved.seen)")
            #expect(moved.seen.last == "Progressing 0", "\(moved.seen)")
            let halt = "Halt podinfo.demo advancement waiting for traffic increase approval approval"
            #expect(try await rollout.events("podinfo").contains(halt))

            try await rollout.postToLoadTester("/gate/open", canary: "podinfo")
            let promoted = try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }
            #expect(promoted.reached, "\(promoted.seen)")
            #expect(promoted.seen.contains("Progressing 100"), "every step once open: \(promoted.seen)")
        }
    }

    @Test func aConfirmPromotionGateHoldsAtTheMaximumWeightUntilOpened() async throws {
        try await VirtualRollout.with(.init(loadTester: true)) { rollout in
            let gate: JSONValue = ["name": "approval", "type": "confirm-promotion", "url": .string(try rollout.loadTester("/gate/check"))]
            try await Self.initialize(rollout, analysis: Self.analysis(webhooks: [gate]))
            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let waiting = try await rollout.advance("podinfo") { $0["phase"] == "WaitingPromotion" }
            #expect(waiting.reached, "\(waiting.seen)")
            let held = try await rollout.advance("podinfo", within: Self.tenIntervals) { $0["phase"] != "WaitingPromotion" }
            #expect(!held.reached, "\(held.seen)")
            #expect(held.seen == ["WaitingPromotion 100"], "held at the maximum weight: \(held.seen)")
            #expect(try await rollout.events("podinfo").contains("Halt podinfo.demo advancement waiting for promotion approval approval"))
            #expect(try await Self.primaryImage(rollout) == "ghcr.io/stefanprodan/podinfo:6.0.0", "not promoted yet")

            try await rollout.postToLoadTester("/gate/open", canary: "podinfo")
            let promoted = try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }
            #expect(promoted.reached, "\(promoted.seen)")
            #expect(try await Self.primaryImage(rollout) == "ghcr.io/stefanprodan/podinfo:6.0.1")
        }
    }

    @Test func aFailingPreRolloutHookCountsFailedChecksThenRollsBack() async throws {
        try await VirtualRollout.with(.init(loadTester: true)) { rollout in
            let hook: JSONValue = [
                "name": "db-check", "type": "pre-rollout", "url": .string(try rollout.loadTester("/")),
                "metadata": ["type": "bash", "cmd": "echo schema mismatch; exit 1"],
            ]
            try await Self.initialize(rollout, analysis: Self.analysis(webhooks: [hook]))
            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let failed = try await rollout.advance("podinfo") { $0["phase"] == "Failed" }
            #expect(failed.reached, "\(failed.seen)")
            #expect(try await rollout.status("podinfo")["failedChecks"] == 3)
            // Three failed checks one interval apart: the rollback comes with the third.
            #expect(failed.elapsed >= .seconds(2 * 60) && failed.elapsed <= .seconds(4 * 60), "\(failed.elapsed)")
            let events = try await rollout.events("podinfo")
            let halt = "Halt podinfo.demo advancement pre-rollout check db-check failed"
            #expect(events.contains { $0.hasPrefix(halt) && $0.contains("schema mismatch") }, "\(events)")
            #expect(events.contains("Rolling back podinfo.demo failed checks threshold reached 3"), "\(events)")
            #expect(!events.contains { $0.hasPrefix("Advance podinfo.demo canary weight") }, "no traffic moved: \(events)")
        }
    }

    @Test func openingTheRollbackGateRollsBackAtTheNextCheck() async throws {
        try await VirtualRollout.with(.init(loadTester: true)) { rollout in
            let hook: JSONValue = ["name": "manual-rollback", "type": "rollback", "url": .string(try rollout.loadTester("/rollback/check"))]
            try await Self.initialize(rollout, analysis: Self.analysis(webhooks: [hook]))
            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let stepped = try await rollout.advance("podinfo") { ($0["canaryWeight"]?.intValue ?? 0) >= 40 }
            #expect(stepped.reached, "\(stepped.seen)")
            #expect(try await rollout.postToLoadTester("/rollback/open", canary: "podinfo") == 202)
            let failed = try await rollout.advance("podinfo") { $0["phase"] == "Failed" }
            #expect(failed.reached, "\(failed.seen)")
            #expect(failed.elapsed <= .seconds(65), "at the next check, one interval at most: \(failed.elapsed)")
            let events = try await rollout.events("podinfo")
            #expect(events.contains("Rollback hook manual-rollback not signaling a rollback"), "\(events)")
            #expect(events.contains("Rolling back podinfo.demo manual webhook invoked"), "\(events)")
            let service = try await rollout.client.resource(ReconcilerTests.virtualServices, as: JSONValue.self).get("podinfo", namespace: "demo")
            let routes = service[path: "spec", "http"]?[0]?["route"]
            #expect(routes?[0]?["weight"] == 100 && routes?[1]?["weight"] == 0, "\(service)")
        }
    }

    @Test func theEventWebhookReceivesEveryEventOfARolloutInOrder() async throws {
        let receiver = try await RecordingReceiver()
        defer { receiver.stop() }
        let url = receiver.url
        try await VirtualRollout.with(.init(options: { $0.eventWebhook = url })) { rollout in
            try await Self.initialize(rollout, analysis: Self.analysis())
            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let promoted = try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }
            #expect(promoted.reached, "\(promoted.seen)")
            let last = "Promotion completed! Scaling down podinfo.demo"
            let delivered = try await eventually { receiver.bodies.contains { $0[path: "metadata", "eventMessage"]?.stringValue == last } }
            #expect(delivered)
            let bodies = receiver.bodies
            let messages = bodies.compactMap { $0[path: "metadata", "eventMessage"]?.stringValue }
            let story =
                ["Initialization done! podinfo.demo", "New revision detected! Scaling up podinfo.demo", "Starting canary analysis for podinfo.demo"]
                + [20, 40, 60, 80, 100].map { "Advance podinfo.demo canary weight \($0)" }
                + ["Copying podinfo.demo template spec to podinfo-primary.demo", "Routing all traffic to primary", last]
            #expect(messages.filter(story.contains) == story, "in order, each once: \(messages)")
            #expect(Set(try await rollout.events("podinfo")).isSubset(of: Set(messages)), "every Kubernetes Event was also posted")
            let stamps = bodies.compactMap { $0[path: "metadata", "timestamp"]?.stringValue.flatMap { Int64($0) } }
            #expect(stamps.count == bodies.count && stamps == stamps.sorted())
            #expect(bodies.allSatisfy { $0["name"] == "podinfo" && $0["namespace"] == "demo" && $0["type"] == "event" })
            let final = bodies.first { $0[path: "metadata", "eventMessage"]?.stringValue == last }
            #expect(final?["phase"] == "Succeeded" && final?[path: "metadata", "eventType"] == "Normal")
        }
    }
}
