import CanaryController
import Foundation
import KubeClient
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// The operator's `/metrics`, `/healthz` and `/readyz`, and its start-up checks.
@Suite struct OperatorEndpointTests {
    /// One series' value in an exposition text: the line that names the metric and contains every label.
    static func value(_ metric: String, _ labels: [String], in text: String) -> Double? {
        text.split(separator: "\n").first { line in
            line.hasPrefix(metric + "{") && labels.allSatisfy { line.contains($0) }
        }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func metricsHaveFlaggersNamesAndLabelsDuringARollout() async throws {
        try await Scenario.run { world in
            #expect(try await world.operatorEndpoint("/healthz") == (200, "OK"))
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized"))
            #expect(try await world.operatorEndpoint("/readyz").status == 200)
            try await world.kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            #expect(try await eventually(timeout: .seconds(60)) { (try await world.status()["canaryWeight"]?.intValue ?? 0) >= 40 })
            let during = try await world.operatorEndpoint("/metrics").text
            let weight = try #require(Self.value("flagger_canary_weight", [#"workload="httpbin""#, #"namespace="demo""#], in: during))
            #expect(weight >= 20, "\(during)")
            #expect(Self.value("flagger_canary_weight", [#"workload="httpbin-primary""#], in: during) == 100 - weight)
            #expect(Self.value("flagger_canary_status", [#"name="httpbin""#, #"namespace="demo""#], in: during) == 0, "0 while progressing")
            let rate = try #require(
                Self.value("flagger_canary_metric_analysis", [#"metric="request-success-rate""#, #"name="httpbin""#], in: during))
            #expect(rate >= 99)
            #expect(during.contains("flagger_canary_duration_seconds_bucket{"))
            #expect(Self.value("flagger_canary_total", [#"namespace="demo""#], in: during) == 1)
            #expect(Self.value("flagger_info", [#"mesh_provider="istio""#], in: during) == 1)
            #expect(
                Self.value(
                    "process_resident_memory_bytes", [],
                    in: during.replacingOccurrences(of: "process_resident_memory_bytes ", with: "process_resident_memory_bytes{} ")) ?? 0 > 1_000_000)

            #expect(try await world.waitForPhase("Succeeded"))
            let after = try await world.operatorEndpoint("/metrics").text
            #expect(
                Self.value(
                    "flagger_canary_successes_total", [#"name="httpbin""#, #"analysis_status="completed""#, #"deployment_strategy="canary""#],
                    in: after) == 1)
            #expect(Self.value("flagger_canary_status", [#"name="httpbin""#], in: after) == 1)
            #expect(Self.value("flagger_canary_weight", [#"workload="httpbin""#], in: after) == 0)
            // The Grafana dashboard only asks for series the operator exposes (failures appear with the first rollback).
            let dashboard = try String(contentsOf: Scenario.repository.appendingPathComponent("charts/serin/dashboards/serin.json"), encoding: .utf8)
            let names = Set(dashboard.matches(of: /flagger_[a-z_]+/).map { String($0.output).replacingOccurrences(of: "_bucket", with: "") })
            #expect(names.count >= 7)
            for name in names where name != "flagger_canary_failures_total" { #expect(after.contains(name), "\(name) is not exposed") }
        }
    }

    @Test func aMissingCRDIsAClearFatalErrorNamingIt() async throws {
        try await withSandbox { sandbox in
            let client = sandbox.client()
            let canaryOperator = CanaryOperator(client: client, options: OperatorOptions(metricsServer: "http://127.0.0.1:1"))
            do {
                try await canaryOperator.run()
                Issue.record("the operator started without its CRDs")
            } catch let error as MissingCRDError {
                #expect(error.crd == "canaries.flagger.app")
                #expect(error.description.contains("kubectl apply -f crds/"))
            }
            try await client.shutdown()
        }
    }
}
