import CanaryAPI
import CanaryController
import Foundation
import Hummingbird
import KubeAPIServer
import KubeClient
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Each SaaS provider through whole rollouts on virtual time: a MetricTemplate of that provider, its Secret,
/// and the vendor's stand-in answering from the sandbox's traffic (the success rate of the workload the
/// query names). A good release is promoted; a release failing half its requests is rolled back. One rollout
/// at a time: each is a whole operator with its caches and a stand-in server, and ten at once add hundreds of
/// sockets and threads to the main run's peak.
@Suite(.serialized) struct VendorMetricRolloutTests {
    /// One provider: its template's query (naming the workload as `<target>.<namespace>`), the Secret's keys,
    /// and its stand-in.
    struct Vendor: Sendable, CustomTestStringConvertible {
        var type: String
        var query: String
        var secret: [String: String]
        /// An HTTP stand-in; `nil` for Splunk's, a WebSocket server (``SignalFlowStandIn``).
        var standIn: (@Sendable (@escaping VendorStandIn.Signal) -> (CallbackResponder<BasicRequestContext>, VendorStandIn))?
        /// More of the template's `provider` (CloudWatch's `region`).
        var provider: JSONObject = [:]
        /// The operator's environment (CloudWatch's credentials).
        var environment: [String: String] = [:]
        var testDescription: String { type }

        /// Serves the stand-in on loopback while `body` runs with its port.
        func serve(_ signal: @escaping VendorStandIn.Signal, _ body: (Int, VendorStandIn) async throws -> Void) async throws {
            guard let standIn else {
                return try await SignalFlowStandIn.serve(token: secret["sf_token_key"] ?? "", signal: signal, body)
            }
            let (responder, state) = standIn(signal)
            try await StubServer.serve(responder) { port in try await body(port, state) }
        }
    }

    static let vendors: [Vendor] = [
        Vendor(
            type: "datadog",
            query: """
                100 - (
                  sum:istio.mesh.request.count{service:{{ target }}.{{ namespace }},response_code:5*}.as_count()
                  / sum:istio.mesh.request.count{service:{{ target }}.{{ namespace }}}.as_count()
                ) * 100
                """,
            secret: ["datadog_api_key": "dd-api", "datadog_application_key": "dd-app"],
            standIn: {
                let s = DatadogStandIn(apiKey: "dd-api", applicationKey: "dd-app", signal: $0); return (s.responder, s.state)
            }),
        Vendor(
            type: "newrelic",
            query: """
                SELECT filter(sum(nginx_ingress_controller_requests), WHERE status < '500') /
                    sum(nginx_ingress_controller_requests) * 100
                FROM Metric WHERE service = '{{ target }}.{{ namespace }}'
                """,
            secret: ["newrelic_account_id": "1234567", "newrelic_query_key": "NRIQ-k"],
            standIn: {
                let s = NewRelicStandIn(accountID: "1234567", queryKey: "NRIQ-k", signal: $0); return (s.responder, s.state)
            }),
        Vendor(
            type: "dynatrace",
            query: #"builtin:service.successRate:filter(eq("dt.entity.service.name","{{ target }}.{{ namespace }}"))"#,
            secret: ["dynatrace_token": "dt0c01.T"],
            standIn: {
                let s = DynatraceStandIn(token: "dt0c01.T", signal: $0); return (s.responder, s.state)
            }),
        Vendor(
            type: "influxdb",
            query: """
                from(bucket: "istio")
                  |> range(start: -1m)
                  |> filter(fn: (r) => r["service"] == "{{ target }}.{{ namespace }}")
                  |> mean()
                """,
            secret: ["token": "influx-t", "org": "acme"],
            standIn: {
                let s = InfluxDBStandIn(token: "influx-t", organisation: "acme", signal: $0); return (s.responder, s.state)
            }),
        Vendor(
            type: "cloudwatch",
            query: """
                [
                  {"Id": "rate", "Expression": "100 * (1 - errors / requests)", "Label": "SuccessRate"},
                  {"Id": "errors", "ReturnData": false, "MetricStat": {"Period": 60, "Stat": "Sum",
                    "Metric": {"Namespace": "Serin", "MetricName": "Errors", "Dimensions": [{"Name": "app", "Value": "{{ target }}.{{ namespace }}"}]}}},
                  {"Id": "requests", "ReturnData": false, "MetricStat": {"Period": 60, "Stat": "Sum",
                    "Metric": {"Namespace": "Serin", "MetricName": "Requests", "Dimensions": [{"Name": "app", "Value": "{{ target }}.{{ namespace }}"}]}}}
                ]
                """,
            secret: [:],
            standIn: {
                let s = CloudWatchStandIn(accessKeyID: "AKIAROLLOUT", signal: $0); return (s.responder, s.state)
            },
            provider: ["region": "eu-west-1"], environment: ["AWS_ACCESS_KEY_ID": "AKIAROLLOUT", "AWS_SECRET_ACCESS_KEY": "rollout-secret"]),
        Vendor(
            type: "stackdriver",
            query: """
                fetch k8s_container
                | metric 'istio.io/service/server/request_count'
                | filter (metric.destination_workload_name == '{{ target }}.{{ namespace }}')
                | align rate(1m) | every 1m
                """,
            secret: ["project": "serin-tests", "serviceAccountKey": VendorMetricRolloutTests.serviceAccountKey],
            standIn: {
                // The fixture's key, checked by the stand-in's token endpoint.
                let s = try! GoogleMonitoringStandIn(
                    project: "serin-tests", email: "serin-test@serin-tests.iam.gserviceaccount.com",
                    publicKeyPEM: VendorMetricRolloutTests.fixture("pub.pem"), signal: $0)
                return (s.responder, s.state)
            }),
        Vendor(
            type: "splunk",
            query: """
                (data('spans.count', filter=filter('sf_service', '{{ target }}.{{ namespace }}') and filter('sf_error', 'false'), rollup='delta').sum()
                  / data('spans.count', filter=filter('sf_service', '{{ target }}.{{ namespace }}'), rollup='delta').sum() * 100).publish()
                """,
            secret: ["sf_token_key": "sf-token"], standIn: nil),
        Vendor(
            type: "web",
            query: #"{"path": "/api/v1/slo?service={{ target }}.{{ namespace }}", "jsonPath": "$.data.value"}"#,
            secret: ["Authorization": "Bearer slo-token"],
            standIn: {
                let s = JSONEndpointStandIn(token: "slo-token", signal: $0); return (s.responder, s.state)
            }),
    ]

    static func fixture(_ name: String) -> String {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "VendorClients/google")
        return (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// The test service account's key, its `token_uri` on the stand-in (`PORT` is replaced when planted).
    static var serviceAccountKey: String {
        fixture("service-account.json").replacingOccurrences(of: "https://oauth2.googleapis.com/token", with: "http://127.0.0.1:PORT/token")
    }

    static let analysis: JSONValue = [
        "interval": "1m", "threshold": 2, "stepWeight": 10, "maxWeight": 30,
        "metrics": [["name": "success-rate", "templateRef": ["name": "success-rate"], "thresholdRange": ["min": 99], "interval": "1m"]],
    ]

    @Test(arguments: vendors) func aGoodReleaseIsPromotedAndAFailingOneRolledBack(_ vendor: Vendor) async throws {
        let environment = vendor.environment
        try await VirtualRollout.with(.init(options: { $0.providerEnvironment = environment })) { rollout in
            let store = rollout.cluster.store
            try await vendor.serve({ query in await Self.successRate(query, store: store) }) { port, standIn in
                try await Self.plant(vendor, address: "http://127.0.0.1:\(port)", on: rollout)
                try await rollout.create(.deployments, ReconcilerHarness.deployment("podinfo"))
                try await rollout.create(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo", analysis: Self.analysis))
                #expect(try await rollout.progress("podinfo") { $0["phase"] == "Initialized" }.reached)

                try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
                let promoted = try await rollout.progress("podinfo") { $0["phase"] == "Succeeded" }
                let afterPromotion = try await rollout.events("podinfo")
                #expect(promoted.reached, "\(vendor.type): \(promoted.seen) \(afterPromotion)")
                let warning =
                    "metric template success-rate.demo sets provider.insecureSkipVerify: the TLS certificate of http://127.0.0.1:\(port) is not verified"
                #expect(afterPromotion.filter { $0.hasPrefix(warning) }.count == 1, "said once: \(afterPromotion)")
                #expect(!afterPromotion.contains { $0.contains("not available") }, "the provider answered its start-up check: \(afterPromotion)")
                #expect(
                    standIn.requests.contains { $0.body.contains("podinfo.demo") || $0.parameters.values.contains { $0.contains("podinfo.demo") } })

                try await rollout.annotateTemplate("podinfo", [WorkloadBehaviour.Annotation.errorRatio: "0.5"])
                let failed = try await rollout.progress("podinfo") { $0["phase"] == "Failed" }
                let events = try await rollout.events("podinfo")
                #expect(failed.reached, "\(vendor.type): \(failed.seen) \(events)")
                #expect(events.contains("Halt podinfo.demo advancement success-rate 50.00 < 99"), "\(vendor.type): \(events)")
                #expect(events.contains("Rolling back podinfo.demo failed checks threshold reached 2"), "\(events)")
            }
        }
    }

    /// Flagger's start-up check: a provider that refuses its check is named in a Warning, and the Canary goes on.
    @Test func aProviderThatFailsItsStartUpCheckIsNamedOnce() async throws {
        var vendor = try #require(Self.vendors.first { $0.type == "datadog" })
        vendor.secret["datadog_api_key"] = "revoked"
        try await VirtualRollout.with { rollout in
            try await vendor.serve({ _ in 100 }) { port, _ in
                try await Self.plant(vendor, address: "http://127.0.0.1:\(port)", on: rollout)
                try await rollout.create(.deployments, ReconcilerHarness.deployment("podinfo"))
                try await rollout.create(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo", analysis: Self.analysis))
                #expect(try await rollout.progress("podinfo") { $0["phase"] == "Initialized" }.reached)
                let events = try await rollout.events("podinfo")
                let expected = "datadog in metric template success-rate.demo not available: http://127.0.0.1:\(port) did not answer its check"
                #expect(events.filter { $0 == expected }.count == 1, "\(events)")
            }
        }
    }

    /// The Secret and the template, once the operator's template cache holds the template.
    static func plant(_ vendor: Vendor, address: String, on rollout: VirtualRollout) async throws {
        let port = URL(string: address)?.port.map(String.init) ?? ""
        let data = vendor.secret.map { ($0.key, JSONValue.string($0.value.replacingOccurrences(of: "PORT", with: port))) }
        try await rollout.create(.secrets, ["metadata": ["name": "vendor"], "stringData": .object(JSONObject(uniqueKeysWithValues: data))])
        try await rollout.create(
            MetricTemplate.resource,
            [
                "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate", "metadata": ["name": "success-rate"],
                "spec": [
                    "provider": .object(
                        vendor.provider.merging([
                            "type": .string(vendor.type), "address": .string(address), "secretRef": ["name": "vendor"], "insecureSkipVerify": true,
                        ]) { $1 }),
                    "query": .string(vendor.query),
                ],
            ])
        #expect(try await eventually { rollout.cached("metrictemplates") }, "the operator's template cache holds the template")
    }

    /// The success rate (percent) of the workload a query names as `<name>.demo`, from its behaviour
    /// annotations, as the sandbox's traffic would measure it.
    static func successRate(_ query: String, store: ObjectStore) async -> Double? {
        guard let match = query.firstMatch(of: /([a-z0-9-]+)\.demo\b/) else { return nil }
        return await WorkloadBehaviour.ofDeployment(String(match.1), namespace: "demo", in: store)?.successPercent
    }
}
