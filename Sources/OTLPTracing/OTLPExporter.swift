import Foundation
import KubeCore
import Logging
import NIOHTTP1
import OutboundHTTP

/// Where spans go: an OTLP/HTTP receiver (a collector, Jaeger, Tempo) taking JSON, configured by the
/// standard variables.
public struct OTLPSettings: Sendable, Equatable {
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`.
    public var endpoint: String
    /// `OTEL_EXPORTER_OTLP_HEADERS` / `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (`key=value,key=value`).
    public var headers: [(String, String)]
    /// `OTEL_SERVICE_NAME`, default `serin`.
    public var serviceName: String

    public init(endpoint: String, headers: [(String, String)] = [], serviceName: String = "serin") {
        self.endpoint = endpoint
        self.headers = headers
        self.serviceName = serviceName
    }

    public static func == (lhs: OTLPSettings, rhs: OTLPSettings) -> Bool {
        lhs.endpoint == rhs.endpoint && lhs.serviceName == rhs.serviceName && lhs.headers.map { "\($0)=\($1)" } == rhs.headers.map { "\($0)=\($1)" }
    }

    /// A variable that cannot be used, named.
    public struct SettingsError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The settings the environment asks for; `nil` (tracing off) without an endpoint or with
    /// `OTEL_TRACES_EXPORTER=none`. Pure.
    public static func from(environment: [String: String]) throws(SettingsError) -> OTLPSettings? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if value("OTEL_TRACES_EXPORTER") == "none" { return nil }
        if let exporter = value("OTEL_TRACES_EXPORTER"), exporter != "otlp" {
            throw SettingsError(description: "OTEL_TRACES_EXPORTER: \"\(exporter)\" is not supported (otlp or none)")
        }
        let endpoint: String
        if let traces = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            endpoint = traces
        } else if let base = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
            endpoint = base.hasSuffix("/") ? base + "v1/traces" : base + "/v1/traces"
        } else {
            return nil
        }
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw SettingsError(description: "OTEL_EXPORTER_OTLP_ENDPOINT: \"\(endpoint)\" is not an http(s) URL")
        }
        let protocolName = value("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? value("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/json"
        guard protocolName == "http/json" else {
            throw SettingsError(description: "OTEL_EXPORTER_OTLP_PROTOCOL: \"\(protocolName)\" is not supported (Serin exports http/json)")
        }
        var headers: [(String, String)] = []
        for pair in (value("OTEL_EXPORTER_OTLP_TRACES_HEADERS") ?? value("OTEL_EXPORTER_OTLP_HEADERS") ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw SettingsError(description: "OTEL_EXPORTER_OTLP_HEADERS: \"\(pair)\" is not key=value")
            }
            headers.append((parts[0], parts[1].removingPercentEncoding ?? parts[1]))
        }
        return OTLPSettings(endpoint: endpoint, headers: headers, serviceName: value("OTEL_SERVICE_NAME") ?? "serin")
    }
}

/// Exports spans over OTLP/HTTP JSON, off the reconcile path: ``export(_:)`` enqueues, ``run()`` posts one
/// request per batch, in order. A receiver that is down loses spans (logged once per failure), never a step.
public final class OTLPExporter: Sendable {
    let settings: OTLPSettings
    let version: String
    let http: OutboundHTTP
    let logger: Logger
    private let queue: AsyncStream<[TraceSpan]>
    private let input: AsyncStream<[TraceSpan]>.Continuation

    public init(settings: OTLPSettings, version: String, http: OutboundHTTP, logger: Logger) {
        self.settings = settings
        self.version = version
        self.http = http
        self.logger = logger
        (queue, input) = AsyncStream.makeStream(of: [TraceSpan].self, bufferingPolicy: .bufferingNewest(1_000))
    }

    func export(_ spans: [TraceSpan]) {
        guard !spans.isEmpty else { return }
        input.yield(spans)
    }

    /// The OTLP/JSON `ExportTraceServiceRequest` of `spans`. Pure.
    func body(_ spans: [TraceSpan]) -> JSONValue {
        [
            "resourceSpans": [
                [
                    "resource": ["attributes": [["key": "service.name", "value": ["stringValue": .string(settings.serviceName)]]]],
                    "scopeSpans": [["scope": ["name": "serin", "version": .string(version)], "spans": .array(spans.map(\.otlp))]],
                ]
            ]
        ]
    }

    public func run() async {
        for await spans in queue {
            let headers = [("Content-Type", "application/json")] + settings.headers
            do {
                let response = try await http.send(
                    .POST, settings.endpoint, headers: headers, body: Array(body(spans).serialized()), timeout: .seconds(10))
                if !(200..<300).contains(response.status) {
                    logger.warning("spans not exported", metadata: ["status": "\(response.status)", "spans": "\(spans.count)"])
                }
            } catch {
                logger.warning("spans not exported", metadata: ["error": "\(error)", "spans": "\(spans.count)"])
            }
        }
    }
}
