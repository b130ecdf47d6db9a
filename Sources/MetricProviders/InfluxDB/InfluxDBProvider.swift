import CanaryAPI
import Foundation
import NIOHTTP1
import OutboundHTTP

/// InfluxDB 2's query API (`POST /api/v2/query?org=<org>`), as Flagger's `influxdb` provider queries it
/// through InfluxDB's Go client: a Flux query, the Secret's `token` as `Authorization: Token`, its `org` in
/// the URL, and the `_value` of the first record of the annotated CSV answer.
public struct InfluxDBProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .influxdb, address: .required) {
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

    /// The request's JSON body: the Flux query and the annotated-CSV dialect InfluxDB's clients ask for.
    static func body(_ flux: String) -> [UInt8] {
        let request: [String: Any] = [
            "query": flux, "type": "flux",
            "dialect": ["annotations": ["datatype", "group", "default"], "delimiter": ",", "header": true],
        ]
        // A dictionary of strings, arrays and booleans always serialises.
        return (try? JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])).map(Array.init) ?? []
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        let api = config.api(.influxdb, timeout: .seconds(15))
        let url = "\(config.baseAddress)/api/v2/query?\(formQuery([("org", organisation)]))"
        let headers = [
            ("Authorization", "Token \(token)"), ("Content-Type", "application/json"), ("Accept", "application/csv"),
        ]
        let answer = try await api.send(.POST, url, headers: headers, body: InfluxDBProvider.body(query))
        return try FluxCSV.firstValue(in: String(decoding: answer, as: UTF8.self), api: api)
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
