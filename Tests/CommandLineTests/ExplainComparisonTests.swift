import CanaryAPI
import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// `serin explain` on a journal with compared metrics: one line a person can read per comparison, the samples
/// and reason under it, dry runs marked, and the step's verdict.
@Suite struct ExplainComparisonTests {
    static func step() throws -> JSONValue {
        var slow = JournalEntry.Comparison(
            against: "baseline", classification: "high", baselineCount: 10, canaryCount: 10, reason: "higher by +18.2% (limit +10.0%)")
        (slow.relativeShift, slow.relativeLow, slow.relativeHigh, slow.p, slow.confidence) = (18.2, 11.04, 26.1, 0.00041, 0.95)
        (slow.baselineMedian, slow.canaryMedian) = (30.6, 36.2)
        var latency = JournalEntry.Metric(
            name: "request-duration", query: nil, value: 36.2, threshold: "compare: increase <= +10.0% (95%)", passed: false, message: nil)
        latency.comparison = slow
        var counts = JournalEntry.Comparison(
            against: "baseline", classification: "pass", baselineCount: 1198, canaryCount: 1203, reason: "no more errors than the baseline")
        (counts.errorCounts, counts.canaryMedian, counts.baselineMedian, counts.p) = (true, 0.083, 0, 0.5)
        var errors = JournalEntry.Metric(name: "request-success-rate", query: nil, value: 0.083, threshold: nil, passed: true, message: nil)
        errors.comparison = counts
        var trial = JournalEntry.Metric(name: "burn-rate", query: nil, value: 3.2, threshold: "<= 1", passed: false, message: "3.20 > 1")
        trial.dryRun = true
        var entry = JournalEntry(
            time: "2026-12-06T11:02:41Z", from: "Progressing 20%", to: "Progressing 20%", metrics: [errors, latency, trial], webhooks: nil,
            decision: ["Halt podinfo.demo advancement: the judge fails the step"])
        (entry.verdict, entry.score) = ("fail", 50)
        return try JSONValue(encoding: [entry])
    }

    @Test func aComparedStepReadsAsOneLinePerMetric() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            try await kubectl.succeed(
                ["apply", "-f", "-"], stdin: TestManifests.plain("podinfo", port: 9898, analysis: "interval: 1m, threshold: 2, stepWeight: 10"))
            let status = String(
                decoding: try JSONValue.object(["status": ["phase": "Progressing", "inconclusiveSteps": 3, "journal": try Self.step()]]).serialized(),
                as: UTF8.self)
            try await kubectl.succeed(["patch", "canary", "podinfo", "-n", "demo", "--subresource=status", "--type=merge", "-p", status])
            let (code, text) = try await SerinBinary.run(["explain", "podinfo", "-n", "demo", "--kubeconfig", sandbox.kubeconfigPath])
            #expect(code == 0, "\(text)")
            for expected in [
                "  ✗ request-duration vs baseline: canary +18.2% (95% CI +11.0..+26.1%), p=0.00041 → high, fails",
                "      n=10/10, median 36.2 against 30.6; higher by +18.2% (limit +10.0%)",
                "  ✓ request-success-rate vs baseline: errors 0.08% against 0.00% (1203 and 1198 requests), p=0.5 → pass, passes",
                "  ~ metric burn-rate = 3.2  (<= 1): 3.20 > 1 (dry run, not deciding)",
                "  judge: fail (score 50)",
            ] {
                #expect(text.contains(expected), "missing \"\(expected)\" in:\n\(text)")
            }
            let tree = try await SerinBinary.run(["status", "podinfo", "-n", "demo", "--kubeconfig", sandbox.kubeconfigPath]).output
            #expect(tree.contains("paused: 3 inconclusive steps in a row; `kubectl serin promote`, `abort` or `retry` decides"), "\(tree)")

            // onFailure: freeze at the threshold.
            try await kubectl.succeed([
                "patch", "canary", "podinfo", "-n", "demo", "--type=merge", "-p", #"{"spec":{"analysis":{"onFailure":"freeze"}}}"#,
            ])
            try await kubectl.succeed([
                "patch", "canary", "podinfo", "-n", "demo", "--subresource=status", "--type=merge", "-p",
                #"{"status":{"inconclusiveSteps":null,"failedChecks":2}}"#,
            ])
            let frozen = try await SerinBinary.run(["status", "podinfo", "-n", "demo", "--kubeconfig", sandbox.kubeconfigPath]).output
            #expect(frozen.contains("frozen: 2 failed checks (onFailure: freeze); `kubectl serin promote`, `abort` or `retry` decides"), "\(frozen)")
        }
    }
}
