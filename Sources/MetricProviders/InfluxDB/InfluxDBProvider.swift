import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// InfluxDB 2's query API (`POST /api/v2/query?org=<org>`), as Flagger's `influxdb` provider queries it
/// through InfluxDB's Go client: a Flux query, the Secret's `token` as `Authorization: Token`, its `org` in
/// the URL, and the `_value` of the first record of the annotated CSV answer. As a series (compared metrics)
/// the answer is the `_value` of every record of its one table: the query sets its own window and step
/// (`range(start: -5m)`, `aggregateWindow(every: {{ interval }}, fn: mean)`), and Serin sends its clock's
/// date as the query's `now`, so a relative range ends where the comparison's window does.
public struct InfluxDBProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .influxdb, address: .required, series: true) {
        config throws(MetricError) in try InfluxDBProvider(config: config)
    }

    let config: MetricProviderConfig
    let token: String
    let organisation: String

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard let url = URL(string: config.address), url.scheme != nil, url.host != nil else {
            throw MetricError.configuration("influxdb address \(config.address) is not a valid URL")
        }
        self.config = config
        if config.secret != nil {
            guard let token = config.secret?["token"], !token.isEmpty else {
                throw MetricError.configuration("influxdb credentials does not contain an authentication token")
            }
            guard let organisation = config.secret?["org"], !organisation.isEmpty else {
                throw MetricError.configuration("influxdb credentials does not contain an organisation")
            }
            (self.token, self.organisation) = (token, organisation)
        } else {
            (token, organisation) = ("", "")
        }
    }

    /// The request's JSON body: the Flux query, the annotated-CSV dialect InfluxDB's clients ask for, and
    /// `now` (RFC 3339) when given.
    static func body(_ flux: String, now: Date? = nil) -> [UInt8] {
        var request: [String: Any] = [
            "query": flux, "type": "flux",
            "dialect": ["annotations": ["datatype", "group", "default"], "delimiter": ",", "header": true],
        ]
        if let now { request["now"] = ISO8601DateFormatter().string(from: now) }
        // A dictionary of strings, arrays and booleans always serialises.
        return (try? JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])).map(Array.init) ?? []
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        try FluxCSV.firstValue(in: try await send(InfluxDBProvider.body(query)), api: config.api(.influxdb))
    }

    /// The query with `now` at the clock's date: every record's `_value`; `window` and `resolution` are the
    /// query's own (Flux has no request parameter for them).
    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        try FluxCSV.values(in: try await send(InfluxDBProvider.body(query, now: config.clock.date)), api: config.api(.influxdb))
    }

    /// `POST /api/v2/query`: the answer as text.
    private func send(_ body: [UInt8]) async throws(MetricError) -> String {
        let url = "\(config.baseAddress)/api/v2/query?\(formQuery([("org", organisation)]))"
        let headers = [
            ("Authorization", "Token \(token)"), ("Content-Type", "application/json"), ("Accept", "application/csv"),
        ]
        let answer = try await config.api(.influxdb, timeout: .seconds(15)).send(.POST, url, headers: headers, body: body)
        return String(decoding: answer, as: UTF8.self)
    }

    /// A query of the last two hours of the `default` bucket answers (Flagger's check).
    public func isOnline() async -> Bool {
        do {
            _ = try await query(#"from(bucket: "default") |> range(start: -2h)"#)
            return true
        } catch {
            return error.kind == .noValues
        }
    }
}
