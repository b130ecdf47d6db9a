import CanaryAPI
import Foundation
import NIOHTTP1
import OutboundHTTP

/// Datadog's metrics query API (`GET /api/v1/query`), as Flagger's `datadog` provider queries it: the
/// Secret's `datadog_api_key` and `datadog_application_key` as `DD-API-KEY` and `DD-APPLICATION-KEY`, a
/// window of ten metric intervals back from now, and the oldest point of the first series (the newest
/// bucket is usually still filling, fluxcd/flagger#1763).
public struct DatadogProvider: MetricProvider {
    /// Datadog's US API, where queries go without `provider.address`.
    public static let defaultAddress = "https://api.datadoghq.com"

    public static let registration = MetricProviderRegistration(type: .datadog, address: .vendorDefault(defaultAddress)) {
        config throws(MetricError) in try DatadogProvider(config: config)
    }

    let config: MetricProviderConfig
    let apiKey: String
    let applicationKey: String

    public init(config: MetricProviderConfig) throws(MetricError) {
        self.config = config
        apiKey = try config.credential("datadog_api_key", of: .datadog)
        applicationKey = try config.credential("datadog_application_key", of: .datadog)
        _ = try config.parsedInterval()
    }

    var headers: [(String, String)] {
        [("Accept", "application/json"), ("DD-API-KEY", apiKey), ("DD-APPLICATION-KEY", applicationKey)]
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        let window = try config.window(intervals: 10, perSecond: 1)
        let parameters = formQuery([("from", "\(window.from)"), ("query", query), ("to", "\(window.to)")])
        let body = try await config.api(.datadog).send(.GET, "\(config.baseAddress)/api/v1/query?\(parameters)", headers: headers)
        return try DatadogProvider.value(from: body, api: config.api(.datadog))
    }

    /// `GET /api/v1/validate` answers 200 for valid keys.
    public func isOnline() async -> Bool {
        do {
            _ = try await config.api(.datadog).send(.GET, "\(config.baseAddress)/api/v1/validate", headers: headers)
            return true
        } catch { return false }
    }

    /// The answer's number: the oldest point of the first series with a value. Datadog writes `null` for a
    /// bucket without data; Flagger reads that as 0, Serin skips it, and a series of nulls has no values.
    static func value(from body: [UInt8], api: VendorAPI) throws(MetricError) -> Double {
        let answer = try api.decode(Answer.self, from: body)
        if answer.status == "error" { throw MetricError.query("datadog: \(answer.error ?? "the query failed")") }
        guard let series = answer.series?.first else { throw MetricError.noValues }
        for point in series.pointlist ?? [] where point.count >= 2 {
            if let value = point[1] {
                guard value.isFinite else { throw MetricError.notFinite("\(value)") }
                return value
            }
        }
        throw MetricError.noValues
    }

    /// What Serin reads of the answer (`MetricsQueryResponse` in Datadog's API reference).
    struct Answer: Decodable {
        struct Series: Decodable { var pointlist: [[Double?]]? }
        var status: String?
        var error: String?
        var series: [Series]?
    }
}
