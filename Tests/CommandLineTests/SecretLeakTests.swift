import ChildProcesses
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// Distinct secrets planted in every input a credential can come through — the operator's flags and
/// environment, a MetricTemplate's address and Secret, an alert hook — then a rollout that fails its checks
/// and its alerts. None of them may appear in the operator's trace-level log, the Events, the Canary's
/// status and journal, `/metrics`, or `serin status` and `serin explain`. An operator process through a
/// rollout at trace level: `make test` runs it alone, after the main run.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "an operator's rollout at trace level; make test runs it alone"))
struct SecretLeakTests {
    /// Each planted secret, by where it was planted.
    static let planted = [
        "metrics-server flag": "S1-op-pw-8f14e45f", "template address": "S2-tpl-pw-c9f0f895",
        "template Secret": "S3tplTOKEN45c48cce2e", "event webhook": "S4hookTOKENd3d9446802a4",
        "slack hook": "S5slackTOKEN6512bd43d9", "slack token": "S6-bearer-c20ad4d76fe9",
    ]

    @Test func noPlantedSecretLeavesTheOperator() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let closed = try PrometheusServer.freePort()  // nothing listens: every check and post fails, saying where it went
            let port = try PrometheusServer.freePort()
            let (process, log) = try SerinBinary.start(
                [
                    "operator", "--kubeconfig", sandbox.kubeconfigPath, "--port", "\(port)", "--log-level", "trace", "--min-analysis-interval", "1s",
                    "--slack-channel", "deploys",
                    "--metrics-server", "http://ops:\(Self.planted["metrics-server flag"]!)@127.0.0.1:\(closed)",
                ],
                environment: [
                    "EVENT_WEBHOOK_URL": "http://127.0.0.1:\(closed)/events/\(Self.planted["event webhook"]!)",
                    "SLACK_URL": "http://127.0.0.1:\(closed)/services/T0/B0/\(Self.planted["slack hook"]!)",
                    "SLACK_TOKEN": Self.planted["slack token"]!,
                ])
            defer { ProcessGroup.stopInBackground(process) }
            try await kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(closedPort: closed))
            let canary = { try await kubectl.succeed(["get", "canary", "httpbin", "-n", "demo", "-o", "json"]) }
            let initialized =
                try await eventually(timeout: .seconds(30)) {
                    try await canary().contains("\"phase\": \"Initialized\"") || !process.isRunning
                } && process.isRunning
            let startLog = try String(contentsOf: log, encoding: .utf8)
            #expect(initialized, "\(startLog)")
            try await kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            // Two failed checks roll back; the rollback alerts through the Slack hook, which fails too.
            #expect(try await eventually(timeout: .seconds(60)) { try await canary().contains("\"phase\": \"Failed\"") })
            let events = try await kubectl.succeed(["get", "events", "-A", "-o", "json"])
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try await kubectl.succeed(["get", "events", "-n", "demo", "-o", "json"]).contains("AlertFailed")
                }, "the failed alert is an Event: \(events)")
            let outputs = [
                "operator log": try String(contentsOf: log, encoding: .utf8),
                "events": try await kubectl.succeed(["get", "events", "-A", "-o", "json"]),
                "canary": try await canary(),
                "/metrics": try await Self.metrics(port: port),
                "serin status": try await SerinBinary.run(["status", "httpbin", "-n", "demo", "--kubeconfig", sandbox.kubeconfigPath]).output,
                "serin explain": try await SerinBinary.run(["explain", "httpbin", "-n", "demo", "--kubeconfig", sandbox.kubeconfigPath]).output,
            ]
            #expect(
                outputs["events"]!.contains("Metric query failed for errors: failed to query http://reader:REDACTED@")
                    && outputs["events"]!.contains("REDACTED"),
                "the failed check names where it went, redacted: \(outputs["events"]!)")
            #expect(outputs["operator log"]!.contains("trace") || outputs["operator log"]!.contains("debug"), "the log is at trace level")
            for (place, text) in outputs {
                for (input, secret) in Self.planted {
                    #expect(!text.contains(secret), "the \(input) secret leaked into the \(place)")
                }
            }
        }
    }

    static func metrics(port: Int) async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        return String(decoding: data, as: UTF8.self)
    }

    /// httpbin with a Canary whose only check is a template whose address carries a password and whose
    /// Secret carries a token; two failures roll back.
    static func manifests(closedPort: Int) -> String {
        TestManifests.plain(
            "httpbin", port: 8000,
            analysis: "interval: 1s, threshold: 2, maxWeight: 50, stepWeight: 25, "
                + "metrics: [{name: errors, templateRef: {name: errors}, thresholdRange: {max: 1}, interval: 1m}]") + """

                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: prom-auth, namespace: demo}
                stringData: {token: \(planted["template Secret"]!)}
                ---
                apiVersion: flagger.app/v1beta1
                kind: MetricTemplate
                metadata: {name: errors, namespace: demo}
                spec:
                  provider: {type: prometheus, address: "http://reader:\(planted["template address"]!)@127.0.0.1:\(closedPort)", secretRef: {name: prom-auth}}
                  query: sum(up)
                """
    }
}
