import CanaryAPI
import Foundation
import Hummingbird
import KubeCore
@testable import MetricProviders
import NIOCore
import OutboundHTTP
import SerinTesting
import Synchronization
import Testing

extension FlaggerTemplatesTests {
    /// Runs `query` through `type`'s provider with the published template's settings, its address swapped for
    /// a loopback server answering ``value`` in that provider's API.
    static func query(_ type: MetricProviderType, query: String, published: Published, template: MetricTemplate) async throws -> Double {
        let secret = published.secret ?? [:]
        let signal: VendorStandIn.Signal = { _ in value }
        func config(_ address: String, secret: [String: String]? = published.secret, environment: [String: String] = [:]) -> MetricProviderConfig {
            MetricProviderConfig(
                address: address, secret: secret, headers: template.spec.provider.headers ?? [:],
                http: OutboundHTTP(proxies: ProxySettings()), interval: "1m", region: template.spec.provider.region,
                environment: environment, cluster: cluster)
        }
        func run(
            _ responder: CallbackResponder<BasicRequestContext>, secret: [String: String]? = published.secret, environment: [String: String] = [:]
        )
            async throws -> Double
        {
            let answer = Mutex<Double?>(nil)
            try await StubServer.serve(responder) { port in
                var settings = config("http://127.0.0.1:\(port)", secret: secret, environment: environment)
                if environment["GCE_METADATA_HOST"] == "PORT" { settings.environment["GCE_METADATA_HOST"] = "127.0.0.1:\(port)" }
                let value = try await MetricProviderRegistry.make(type, settings).query(query)
                answer.withLock { $0 = value }
            }
            return try #require(answer.withLock { $0 })
        }
        switch type {
        case .prometheus: return try await run(prometheus)
        case .graphite: return try await run(graphite)
        case .datadog:
            return try await run(
                DatadogStandIn(apiKey: secret["datadog_api_key"] ?? "", applicationKey: secret["datadog_application_key"] ?? "", signal: signal)
                    .responder)
        case .newrelic:
            return try await run(
                NewRelicStandIn(accountID: secret["newrelic_account_id"] ?? "", queryKey: secret["newrelic_query_key"] ?? "", signal: signal)
                    .responder)
        case .dynatrace: return try await run(DynatraceStandIn(token: secret["dynatrace_token"] ?? "", signal: signal).responder)
        case .influxdb:
            // The guide's InfluxDB template names a Secret it does not print.
            let token = ["token": "influx-token", "org": "acme"]
            return try await run(InfluxDBStandIn(token: "influx-token", organisation: "acme", signal: signal).responder, secret: token)
        case .cloudwatch:
            let keys = ["AWS_ACCESS_KEY_ID": "AKIAGUIDE", "AWS_SECRET_ACCESS_KEY": "guide-secret"]
            return try await run(CloudWatchStandIn(accessKeyID: "AKIAGUIDE", signal: signal).responder, environment: keys)
        case .stackdriver:
            // The guide's Secret `gcloud-sa` holds the project; the token comes from the metadata server (Workload Identity).
            let standIn = try GoogleMonitoringStandIn(project: "guide-project", signal: signal)
            return try await run(standIn.responder, secret: ["project": "guide-project"], environment: ["GCE_METADATA_HOST": "PORT"])
        case .externalmetrics: return try await run(externalMetrics(token: secret["token"] ?? ""))
        case .splunk:
            return try await SignalFlowStandIn.serve(token: secret["sf_token_key"] ?? "", signal: signal) { port, _ in
                try await MetricProviderRegistry.make(type, config("http://127.0.0.1:\(port)")).query(query)
            }
        case .keptn: return try await MetricProviderRegistry.make(type, config("")).query(query)
        case .web, .job: throw MetricError.configuration("not one of Flagger's types")
        }
    }

    /// The cluster as the Keptn template reads it: the guide's KeptnMetric with a value.
    static let cluster = ClusterAccess(
        list: { _, _, _ throws(ClusterAccess.Failure) in [] },
        get: { resource, namespace, name throws(ClusterAccess.Failure) in
            guard resource.plural == "keptnmetrics", namespace == "my-namespace", name == "response-time" else {
                throw ClusterAccess.Failure(status: 404, message: "not found")
            }
            return ["status": ["value": .string("\(value)")]]
        })

    static let prometheus = CallbackResponder<BasicRequestContext> { request, _ in
        guard request.uri.path == "/api/v1/query" else { return Response(status: .notFound) }
        let body = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1800000000,"\#(value)"]}]}}"#
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static let graphite = CallbackResponder<BasicRequestContext> { request, _ in
        guard request.uri.path == "/render" else { return Response(status: .notFound) }
        let body = #"[{"target":"summarize","datapoints":[[\#(value),1800000000],[null,1800000060]]}]"#
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func externalMetrics(token: String) -> CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            guard request.headers[.authorization] == "Bearer \(token)",
                request.uri.path == "/apis/external.metrics.k8s.io/v1beta1/namespaces/webapp-frontend/job-success-rate"
            else { return Response(status: .unauthorized) }
            let body =
                #"{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[{"metricName":"job-success-rate","value":"99500m"}]}"#
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
