import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import Testing

/// Compared metrics on virtual time (``VirtualRollout``): the canary's series judged against the primary's, as
/// the operator queries them (`query_range`) from the scripted Prometheus, whose latencies scatter around each
/// workload's P99 annotation.
@Suite struct JudgeRolloutTests {
    /// A P99 latency compared with the primary, an absolute `max` of 500 ms the releases never reach.
    static func analysis(compare: JSONValue = [:], dryRun: Bool = false, comparedErrors: Bool = false, extra: JSONObject = [:]) -> JSONValue {
        var metric: JSONObject = ["name": "request-duration", "interval": "1m", "thresholdRange": ["max": 500], "compare": compare]
        if dryRun { metric["dryRun"] = true }
        var success: JSONObject = ["name": "request-success-rate", "thresholdRange": ["min": 99], "interval": "1m"]
        if comparedErrors { success["compare"] = [:] }
        var analysis: JSONObject = [
            "interval": "1m", "threshold": 2, "stepWeight": 10, "maxWeight": 30, "metrics": .array([.object(success), .object(metric)]),
        ]
        for (key, value) in extra { analysis[key] = value }
        return .object(analysis)
    }

    /// Installs podinfo and its Canary, and waits for the primary.
    static func initialized(_ rollout: VirtualRollout, analysis: JSONValue) async throws {
        try await rollout.create(.deployments, ReconcilerHarness.deployment("podinfo"))
        try await rollout.create(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo", analysis: analysis))
        let initialized = try await rollout.advance("podinfo") { $0["phase"] == "Initialized" }
        try #require(initialized.reached, "\(initialized.seen)")
    }

    /// The compared records of the Canary's journal.
    static func comparisons(_ status: JSONValue) throws -> [JournalEntry.Metric] {
        try (status["journal"] ?? []).decode(as: [JournalEntry].self).flatMap { $0.metrics ?? [] }.filter { $0.comparison != nil }
    }

    @Test func aReleaseTwentyPercentSlowerUnderTheAbsoluteMaximumIsRolledBackByTheJudge() async throws {
        try await VirtualRollout.with { rollout in
            try await Self.initialized(rollout, analysis: Self.analysis())
            // P99 30 ms (the default: three times 10 ms) → 36 ms: far under `max: 500`.
            try await rollout.annotateTemplate("podinfo", ["sandbox.serin.dev/latency-p99-ms": "36"])
            let failed = try await rollout.advance("podinfo") { $0["phase"] == "Failed" }
            #expect(failed.reached, "\(failed.seen)")
            let status = try await rollout.status("podinfo")
            let compared = try Self.comparisons(status)
            let high = try #require(compared.last?.comparison)
            #expect(high.classification == "high" && high.against == "primary", "\(high)")
            #expect((15...25).contains(high.relativeShift ?? 0), "the shift is the release's +20%: \(high)")
            #expect((high.p ?? 1) < 0.01 && high.canaryCount >= 10 && high.baselineCount >= 10, "\(high)")
            let events = try await rollout.events("podinfo")
            #expect(events.contains { $0.contains("the judge fails the step") && $0.contains("request-duration high") }, "\(events)")
            #expect(compared.allSatisfy { $0.passed == false }, "every compared step saw it: \(compared.map(\.passed))")
        }
    }

    @Test func aReleaseAsFastAsThePrimaryIsPromotedWithPassingVerdicts() async throws {
        try await VirtualRollout.with { rollout in
            try await Self.initialized(rollout, analysis: Self.analysis())
            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let promoted = try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }
            #expect(promoted.reached, "\(promoted.seen)")
            let status = try await rollout.status("podinfo")
            let compared = try Self.comparisons(status)
            #expect(!compared.isEmpty && compared.allSatisfy { $0.passed && $0.comparison?.classification == "pass" }, "\(compared)")
            let verdicts = try (status["journal"] ?? []).decode(as: [JournalEntry].self).compactMap(\.verdict)
            #expect(!verdicts.isEmpty && verdicts.allSatisfy { $0 == "pass" }, "\(verdicts)")
        }
    }

    @Test func aFailingDryRunMetricIsJournaledAndChangesNothing() async throws {
        try await VirtualRollout.with { rollout in
            try await Self.initialized(rollout, analysis: Self.analysis(dryRun: true))
            try await rollout.annotateTemplate("podinfo", ["sandbox.serin.dev/latency-p99-ms": "36"])
            let promoted = try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }
            #expect(promoted.reached, "the dry-run metric decides nothing: \(promoted.seen)")
            let compared = try Self.comparisons(try await rollout.status("podinfo"))
            #expect(!compared.isEmpty && compared.allSatisfy { $0.dryRun == true && $0.comparison?.classification == "high" }, "\(compared)")
            let events = try await rollout.events("podinfo")
            #expect(!events.contains { $0.contains("judge") }, "\(events)")
        }
    }

    @Test func marginalStepsPauseTheAnalysisUntilPromoteIsRequested() async throws {
        try await VirtualRollout.with { rollout in
            // Errors compared as counts pass, the latency is high: a score of 50, marginal under pass 100.
            let limits: JSONObject = ["inconclusiveLimit": 2, "scoreThresholds": ["pass": 100, "marginal": 50]]
            try await Self.initialized(rollout, analysis: Self.analysis(comparedErrors: true, extra: limits))
            try await rollout.annotateTemplate("podinfo", ["sandbox.serin.dev/latency-p99-ms": "36"])
            let paused = try await rollout.advance("podinfo") { $0["inconclusiveSteps"]?.intValue == 2 }
            #expect(paused.reached, "\(paused.seen)")
            // Paused: more intervals pass and nothing moves.
            let waited = try await rollout.advance("podinfo", within: .seconds(300)) { $0["phase"] != "Progressing" || $0["canaryWeight"] != 10 }
            #expect(!waited.reached && waited.seen == ["Progressing 10"], "\(waited.seen)")
            let events = try await rollout.events("podinfo")
            #expect(
                events.contains { $0.contains("inconclusive after 2 steps in a row, waiting for kubectl serin promote, abort or retry") }, "\(events)"
            )
            let revision = try await rollout.status("podinfo")["lastAppliedSpec"]?.stringValue ?? ""
            let request = ControlRequest(action: .promote, revision: revision, by: "alice", at: "2026-12-06T10:00:00Z").json.serialized()
            _ = try await rollout.client.resource(ReconcilerHarness.canaries, as: JSONValue.self).patch(
                "podinfo", namespace: "demo",
                patch: .merge(["metadata": ["annotations": [.init(ControlRequest.annotation): .string(String(decoding: request, as: UTF8.self))]]]))
            let promoted = try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }
            #expect(promoted.reached, "\(promoted.seen)")
            let journal = try (try await rollout.status("podinfo")["journal"] ?? []).decode(as: [JournalEntry].self)
            #expect(journal.contains { $0.verdict == "inconclusive" && $0.score == 50 }, "\(journal.map { ($0.verdict, $0.score) })")
            let errors = journal.flatMap { $0.metrics ?? [] }.last { $0.name == "request-success-rate" && $0.comparison != nil }?.comparison
            #expect(errors?.errorCounts == true && errors?.classification == "pass" && errors?.canaryCount == 600, "\(String(describing: errors))")
        }
    }

    @Test func consecutiveSuccessLimitHoldsTheFirstWeightUntilStepsPassInARow() async throws {
        try await VirtualRollout.with { rollout in
            try await Self.initialized(rollout, analysis: Self.analysis(extra: ["consecutiveSuccessLimit": 3]))
            try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
            let second = try await rollout.advance("podinfo") { $0["canaryWeight"] == 20 }
            #expect(second.reached, "\(second.seen)")
            // Three passed steps at weight 10 (an interval each) before the weight first increases.
            #expect(second.elapsed >= .seconds(3 * 60), "\(second.elapsed)")
            let events = try await rollout.events("podinfo")
            let holds = events.filter { $0.hasPrefix("Hold podinfo.demo canary weight 10:") }.sorted()
            #expect(
                holds.count == 2 && holds[0].hasSuffix("1/3 passed steps in a row") && holds[1].hasSuffix("2/3 passed steps in a row"), "\(events)")
            let promoted = try await rollout.advance("podinfo") { $0["phase"] == "Succeeded" }
            #expect(promoted.reached, "\(promoted.seen)")
        }
    }
}
