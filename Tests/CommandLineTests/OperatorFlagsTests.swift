import Foundation
import Testing

/// `serin operator`'s flags: documented, validated at start with a message naming the flag, env fallbacks.
@Suite(.serialized) struct OperatorFlagsTests {
    @Test func helpDocumentsEveryFlag() async throws {
        let (status, help) = try await SerinBinary.run(["operator", "--help"])
        #expect(status == 0)
        for flag in [
            "--kubeconfig", "--namespace", "--metrics-server", "--mesh-provider", "--selector-labels", "--include-label-prefix",
            "--enable-config-tracking", "--enable-leader-election", "--leader-election-namespace", "--port", "--log-level",
            "--log-format", "--cluster-name", "--slack-url", "--slack-channel", "--slack-user", "--msteams-url", "--wecom-url", "--dingtalk-url",
            "--dingtalk-signing-secret", "--feishu-url", "--feishu-signing-secret", "--alert-stuck-gate-after", "--event-webhook", "--kube-qps",
            "--kube-burst", "--concurrency", "--malloc-arenas", "--memory-trim-interval", "--shard", "--ingress-annotations-prefix",
            "--ingress-class", "EVENT_WEBHOOK_URL",
        ] {
            #expect(help.contains(flag), "\(flag) missing from --help")
        }
    }

    @Test(arguments: [
        (
            ["--mesh-provider", "appmesh"],
            "--mesh-provider: \"appmesh\" is not supported yet (supported: apisix, contour, gatewayapi:v1, gatewayapi:v1beta1, gloo, istio, knative, kubernetes, kuma, linkerd, nginx, osm, skipper, smi:v1alpha1, smi:v1alpha2, smi:v1alpha3, traefik)"
        ),
        (["--mesh-provider", "istio2"], "--mesh-provider: \"istio2\" is not a known value (known: apisix, appmesh,"),
        (["--log-format", "yaml"], "--log-format: \"yaml\" is not text or json"),
        (["--ingress-annotations-prefix", "Nginx/Ingress"], "--ingress-annotations-prefix: \"Nginx/Ingress\" is not a DNS subdomain"),
        (["--log-level", "loud"], "--log-level: \"loud\" is not a log level"),
        (["--port", "70000"], "--port: 70000 is not a port"),
        (["--kube-qps", "0"], "--kube-qps: must be more than 0"),
        (["--concurrency", "0"], "--concurrency: must be at least 1"),
        (["--malloc-arenas=-1"], "--malloc-arenas: must be 0 (glibc's default) or more"),
        (["--memory-trim-interval", "often"], "--memory-trim-interval:"),
        (["--namespace", "Not_A_Namespace"], "--namespace: \"Not_A_Namespace\" is not a namespace name"),
        (["--selector-labels", ","], "--selector-labels: \",\" must be comma-separated label keys"),
        (["--metrics-server", "prometheus"], "--metrics-server: \"prometheus\" is not a URL"),
        (["--min-analysis-interval", "soon"], "--min-analysis-interval:"),
        (["--webhook-token", "http://x/=/nonexistent/token"], "--webhook-token: failed to read /nonexistent/token"),
        (["--slack-url", "hooks.slack.com/services/secret", "--slack-channel", "general"], "--slack-url: invalid hook URL: not an http(s) URL"),
        (["--slack-url", "https://hooks.slack.com/services/x"], "--slack-url: empty Slack channel"),
        (["--slack-url", "https://hooks.slack.com/services/x", "--slack-user", ""], "--slack-url: empty Slack username"),
        (["--dingtalk-url", "oapi.dingtalk.com/robot/send?access_token=secret"], "--dingtalk-url: invalid hook URL: not an http(s) URL"),
        (["--alert-stuck-gate-after", "an hour"], "--alert-stuck-gate-after:"),
        (["--shard", "3/3"], "--shard: \"3/3\" must be N/M, this replica's shard N of M shards (0 ≤ N < M)"),
        (["--shard", "0/2", "--enable-leader-election"], "--shard: each shard elects its own leader; drop --enable-leader-election"),
    ])
    func aBadValueIsRefusedAtStartNamingTheFlag(arguments: [String], message: String) async throws {
        let (status, output) = try await SerinBinary.run(["operator"] + arguments)
        #expect(status != 0)
        #expect(output.contains(message), "\(output)")
    }

    @Test func anOpenTelemetryVariableSerinCannotUseIsRefusedAtStart() async throws {
        let (status, output) = try await SerinBinary.run(
            ["operator"],
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            ])
        #expect(status != 0 && output.contains("OTEL_EXPORTER_OTLP_PROTOCOL: \"grpc\" is not supported (Serin exports http/json)"), "\(output)")
    }

    @Test func theEventWebhookFallsBackToItsEnvironmentVariable() async throws {
        let (status, output) = try await SerinBinary.run(["operator"], environment: ["EVENT_WEBHOOK_URL": "not a url/T0KEN-in-path"])
        #expect(status != 0 && output.contains("--event-webhook (or EVENT_WEBHOOK_URL): the value (23 characters) is not a URL"), "\(output)")
        #expect(!output.contains("T0KEN"), "a hook URL is a credential: the refusal does not echo it")
    }

    @Test func aBrokenKubeconfigNamesTheFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).kubeconfig").path
        try "apiVersion: v1\nclusters: [".write(toFile: path, atomically: true, encoding: .utf8)
        let (status, output) = try await SerinBinary.run(["operator", "--kubeconfig", path])
        #expect(status != 0 && output.contains(path), "\(output)")
    }
}
