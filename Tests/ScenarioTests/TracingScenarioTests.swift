import CanaryController
import Foundation
import KubeCore
import SerinTesting
import Testing
import OTLPTracing

/// Rollout traces over OTLP/HTTP JSON to a local receiver: one trace per rollout, a root span, a span per
/// step under it, and under each step a span per check and write.
@Suite struct TracingScenarioTests {
    static func spans(_ receiver: RecordingReceiver) -> [JSONValue] {
        receiver.bodies.flatMap { body in
            (body["resourceSpans"]?.arrayValue ?? []).flatMap { ($0["scopeSpans"]?.arrayValue ?? []).flatMap { $0["spans"]?.arrayValue ?? [] } }
        }
    }

    @Test func aGoodAndABadRolloutEachExportOneTraceWithTheirStepsChecksAndWrites() async throws {
        let receiver = try await RecordingReceiver()
        defer { receiver.stop() }
        try await Scenario.run(Scenario.Setup(tracesURL: "\(receiver.url)v1/traces")) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + Manifests.plain("traced", interval: "1s"))
            #expect(try await world.waitForPhase("Initialized", name: "traced"))
            try await world.kubectl.succeed(["set", "image", "deploy/traced", "-n", "demo", "traced=kennethreitz/httpbin:v2"])
            #expect(try await world.waitForPhase("Succeeded", name: "traced", timeout: .seconds(60)))
            #expect(try await eventually(timeout: .seconds(10)) { Self.spans(receiver).contains { $0["name"] == "rollout demo/traced" } })
            let spans = Self.spans(receiver)
            let root = try #require(spans.first { $0["name"] == "rollout demo/traced" })
            let trace = try #require(root["traceId"]?.stringValue)
            #expect(root["parentSpanId"] == nil && root["status"]?["code"] == 1 && trace.count == 32)
            let steps = spans.filter { $0["name"]?.stringValue?.hasPrefix("step: ") == true }
            #expect(steps.allSatisfy { $0["traceId"]?.stringValue == trace && $0["parentSpanId"] == root["spanId"] }, "every step under the rollout")
            let names = steps.compactMap { $0["name"]?.stringValue }
            for expected in ["step: Progressing 0%", "step: Progressing 10%", "step: Progressing 50%", "step: Promoting 50%", "step: Succeeded 0%"] {
                #expect(names.contains(expected), "missing \(expected) in \(names)")
            }
            let advance = try #require(steps.first { $0["name"] == "step: Progressing 10%" })
            let children = spans.filter { $0["parentSpanId"] == advance["spanId"] }.compactMap { $0["name"]?.stringValue }
            #expect(children.contains("set routes 90/10") && children.contains("record event") && children.contains("write status"), "\(children)")
            let start = { (span: JSONValue) in UInt64(span["startTimeUnixNano"]?.stringValue ?? "") ?? 0 }
            #expect(steps.allSatisfy { start($0) >= start(root) }, "the rollout span starts with its first step")

            // A bad rollout: its own trace, its rollout span failed, its webhook check a failed span.
            try await world.kubectl.succeed([
                "patch", "canary", "traced", "-n", "demo", "--type=merge", "-p",
                #"{"spec":{"analysis":{"webhooks":[{"name":"smoke","url":"http://127.0.0.1:1/","timeout":"1s"}]}}}"#,
            ])
            try await world.kubectl.succeed(["set", "image", "deploy/traced", "-n", "demo", "traced=kennethreitz/httpbin:v3"])
            #expect(try await world.waitForPhase("Failed", name: "traced", timeout: .seconds(60)))
            #expect(try await eventually(timeout: .seconds(10)) { Self.spans(receiver).filter { $0["name"] == "rollout demo/traced" }.count == 2 })
            let failed = try #require(Self.spans(receiver).last { $0["name"] == "rollout demo/traced" })
            #expect(failed["traceId"]?.stringValue != trace && failed["status"]?["code"] == 2)
            #expect(
                failed["status"]?["message"]?.stringValue?.hasPrefix("Rolling back traced.demo failed checks threshold reached 2") == true,
                "\(failed)")
            #expect(Self.spans(receiver).contains { $0["name"] == "webhooks rollout" && $0["traceId"] == failed["traceId"] })
        }
    }

    @Test func theStandardVariablesConfigureTheExporterAndABadOneIsRefusedByName() throws {
        #expect(try OTLPSettings.from(environment: [:]) == nil, "off unless configured")
        let settings = try OTLPSettings.from(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SERVICE_NAME": "serin-prod",
            "OTEL_EXPORTER_OTLP_HEADERS": "x-tenant=a,authorization=Bearer%20t",
        ])
        #expect(
            settings
                == OTLPSettings(
                    endpoint: "http://collector:4318/v1/traces", headers: [("x-tenant", "a"), ("authorization", "Bearer t")],
                    serviceName: "serin-prod"))
        #expect(try OTLPSettings.from(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"]) == nil)
        #expect(throws: OTLPSettings.SettingsError.self) {
            try OTLPSettings.from(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])
        }
    }
}
