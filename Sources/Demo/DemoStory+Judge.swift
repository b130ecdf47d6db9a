import CanaryAPI
import Foundation
import KubeCore
import LocalCluster

extension DemoStory {
    /// Act 4: a release a fifth slower passes Flagger-style thresholds (P99 ≤ 500 ms) and is caught by the judge,
    /// comparing the canary with a baseline of the previous version.
    static func judgedRelease(
        _ options: DemoOptions, world: DemoWorld, console: DemoConsole, follower: RolloutFollower
    ) async throws
        -> (phase: String, took: Duration, verdict: String?)
    {
        console.act(4, "A release 20% slower (v4, without v3's errors), far under P99 ≤ 500 ms: the judge compares it with a baseline")
        console.note("The Canary gains analysis.baseline (httpbin-baseline runs v2 beside the canary, at its weight) and a")
        console.note("mean latency compared as series each step (3 s points over 30 s, at most +10%); the P99 check stays.")
        try await world.kubectl.succeed(["apply", "-f", "-"], stdin: meanLatencyTemplate)
        try await world.kubectl.succeed(["patch", "canary", "httpbin", "-n", "demo", "--type=merge", "-p", judgedAnalysis])
        let started = ContinuousClock.now
        try await world.kubectl.succeed([
            "patch", "deploy", "httpbin", "-n", "demo", "-p",
            #"""
            {"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/latency-ms":"24","sandbox.serin.dev/rps":"200","sandbox.serin.dev/error-ratio":null}},"spec":{"containers":[{"name":"httpbin","image":"kennethreitz/httpbin:v4"}]}}}}
            """#,
        ])
        let outcome = try await follower.follow(until: ["Succeeded", "Failed"], afterLeaving: true, timeout: options.actTimeout)
        let canary = try JSONValue(parsing: try await world.kubectl.succeed(["get", "canary", "httpbin", "-n", "demo", "-o", "json"]))
        let journal = (try? (canary[path: "status", "journal"] ?? []).decode(as: [JournalEntry].self)) ?? []
        let records = journal.flatMap { $0.metrics ?? [] }
        if let p99 = records.last(where: { $0.name == "latency" })?.value {
            console.ok("the P99 check passed every step: \(String(format: "%.0f", p99)) ms ≤ 500 ms")
        }
        let verdict = records.last { $0.name == "mean-latency" }?.comparisonLine
        if let verdict { console.ok("the judge: \(verdict)") }
        console.note("kubectl serin explain httpbin -n demo shows every step's comparison.")
        return (outcome.phase, ContinuousClock.now - started, verdict)
    }

    /// The mean latency of each side (`{{ variant }}`), over slices of `{{ interval }}`.
    static let meanLatencyTemplate = """
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: mean-latency, namespace: demo}
        spec:
          provider: {type: prometheus}
          query: |
            sum(rate(istio_request_duration_milliseconds_sum{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ variant }}"}[{{ interval }}]))
            / sum(rate(istio_request_duration_milliseconds_count{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ variant }}"}[{{ interval }}]))
        """

    /// The example's analysis with a baseline (weights up to 40 %: the baseline takes as much again) and the
    /// compared metrics (the success rate as error counts, over this analysis only: v3's errors a few seconds ago are
    /// not v4's); the P99 template check as it was.
    static let judgedAnalysis = #"""
        {"spec":{"analysis":{"maxWeight":40,"stepWeight":20,"baseline":{"enabled":true},"inconclusiveLimit":20,"metrics":[
          {"name":"request-success-rate","interval":"30s","compare":{"minSamples":50}},
          {"name":"latency","templateRef":{"name":"latency","namespace":"istio-system"},"thresholdRange":{"max":500},"interval":"10s"},
          {"name":"mean-latency","templateRef":{"name":"mean-latency"},"interval":"30s","compare":{"maxIncrease":10,"minSamples":8,"resolution":"3s","critical":true}}]}}}
        """#
}
