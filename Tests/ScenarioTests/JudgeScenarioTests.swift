import CanaryAPI
import Foundation
import KubeCore
import SerinTesting
import Testing

/// The judge on the sandbox with a real Prometheus: each step queries the canary's and the baseline's series
/// (`query_range`) and their error counts, and compares them.
@Suite(.serialized) struct JudgeScenarioTests {
    /// podinfo answering in about 20 ms (P99 26 ms) at 200 requests a second, and a mean-latency template that
    /// renders `{{ variant }}` as each side's workload.
    static func manifests(prometheus: String, analysis: String) -> String {
        Podinfo.workload.replacingOccurrences(
            of: #"sandbox.serin.dev/rps: "50""#, with: #"sandbox.serin.dev/rps: "200", sandbox.serin.dev/latency-p99-ms: "26""#) + """

                ---
                apiVersion: flagger.app/v1beta1
                kind: MetricTemplate
                metadata: {name: mean-latency, namespace: test}
                spec:
                  provider: {type: prometheus, address: "\(prometheus)"}
                  query: |
                    sum(rate(istio_request_duration_milliseconds_sum{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ variant }}"}[{{ interval }}]))
                    / sum(rate(istio_request_duration_milliseconds_count{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ variant }}"}[{{ interval }}]))
                ---

                """ + Podinfo.canary(provider: "istio", analysis: analysis)
    }

    /// A baseline, the success rate compared as error counts, the mean latency compared as series (3 s points over
    /// 30 s, at most +10 %), under an absolute maximum of 500 ms; `extra` adds metrics.
    static func analysis(latencyCompare: String = "{maxIncrease: 10, minSamples: 8, resolution: 3s}", extra: String = "", limit: Int = 20) -> String {
        """
                interval: 3s
                threshold: 2
                maxWeight: 40
                stepWeight: 20
                baseline: {enabled: true}
                inconclusiveLimit: \(limit)
                metrics:
                - {name: request-success-rate, interval: 30s, compare: {minSamples: 50}}
                - {name: mean-latency, templateRef: {name: mean-latency}, interval: 30s, thresholdRange: {max: 500}, compare: \(latencyCompare)}\(extra)
        """
    }

    static func comparisons(_ world: Scenario) async throws -> [JournalEntry.Metric] {
        let journal = try (try await world.status("podinfo", namespace: "test")["journal"] ?? []).decode(as: [JournalEntry].self)
        return journal.flatMap { $0.metrics ?? [] }.filter { $0.comparison != nil }
    }

    @Test func aReleaseTwentyPercentSlowerIsRolledBackByTheJudgeAndAGoodOneIsPromoted() async throws {
        try await Scenario.run { world in
            let failing = "\n        - {name: mean-latency, templateRef: {name: mean-latency}, interval: 30s, thresholdRange: {max: 1}, dryRun: true}"
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Self.manifests(prometheus: world.prometheus.url, analysis: Self.analysis(extra: failing)))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))

            // A good release: every compared step passes, and the dry-run metric failing on each decides nothing.
            try await world.releasePodinfo()
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(120)))
            let good = try await Self.comparisons(world)
            #expect(good.contains { $0.comparison?.against == "baseline" && $0.passed && $0.comparison?.classification == "pass" }, "\(good)")
            #expect(!good.contains { $0.comparison?.classification == "high" }, "\(good)")
            let journal = try (try await world.status("podinfo", namespace: "test")["journal"] ?? []).decode(as: [JournalEntry].self)
            let dryRuns = journal.flatMap { $0.metrics ?? [] }.filter { $0.dryRun == true }
            #expect(!dryRuns.isEmpty && dryRuns.allSatisfy { !$0.passed }, "\(dryRuns)")

            // 20 ms → 24 ms (P99 26 → 31 ms): a fifth slower, far under `max: 500`.
            let slower = #"{"sandbox.serin.dev/latency-ms":"24","sandbox.serin.dev/latency-p99-ms":"31"}"#
            try await world.kubectl.succeed([
                "patch", "deploy", "podinfo", "-n", "test", "-p", #"{"spec":{"template":{"metadata":{"annotations":"# + slower + "}}}}",
            ])
            #expect(try await world.waitForPhase("Failed", name: "podinfo", namespace: "test", timeout: .seconds(120)))
            let slow = try #require(try await Self.comparisons(world).last { $0.name == "mean-latency" }?.comparison)
            #expect(slow.classification == "high" && slow.against == "baseline", "\(slow)")
            #expect((12...28).contains(slow.relativeShift ?? 0) && (slow.p ?? 1) < 0.01, "the release's +20%: \(slow)")
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains { $0.contains("the judge fails the step") && $0.contains("mean-latency high: higher by") }, "\(events)")
            #expect(try await BaselineScenarioTests.isGone(world), "no baseline after the rollback")
        }
    }

    @Test func anInconclusiveAnalysisPausesAndAPromoteRequestContinuesIt() async throws {
        try await Scenario.run { world in
            // The canary's first steps have fewer than 12 of the window's 15 points: inconclusive, twice, then paused.
            let analysis = Self.analysis(latencyCompare: "{minSamples: 12, resolution: 2s}", limit: 2)
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(prometheus: world.prometheus.url, analysis: analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            let paused = try await eventually(timeout: .seconds(90)) {
                try await world.status("podinfo", namespace: "test")["inconclusiveSteps"]?.intValue == 2
            }
            let status = try await world.status("podinfo", namespace: "test")
            #expect(paused, "\(status)")
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains { $0.contains("the analysis is inconclusive after 2 steps in a row") }, "\(events)")
            let weight = try await world.status("podinfo", namespace: "test")["canaryWeight"]
            let revision = try await world.status("podinfo", namespace: "test")["lastAppliedSpec"]?.stringValue ?? ""
            // What `kubectl serin promote` writes.
            let request = String(
                decoding: ControlRequest(action: .promote, revision: revision, by: "alice", at: "2026-12-06T11:00:00Z").json.serialized(),
                as: UTF8.self)
            #expect(try await world.status("podinfo", namespace: "test")["canaryWeight"] == weight, "paused: the weight holds")
            try await world.kubectl.succeed(["annotate", "canary", "podinfo", "-n", "test", "\(ControlRequest.annotation)=\(request)"])
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test"))
        }
    }
}
