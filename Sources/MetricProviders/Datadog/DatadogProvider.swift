import CanaryAPI
import Foundation
import NIOHTTP1
import OutboundHTTP

/// Datadog's metrics query API (`GET /api/v1/query`), as Flagger's `datadog` provider queries it: the
/// Secret's `datadog_api_key` and `datadog_application_key` as `DD-API-KEY` and `DD-APPLICATION-KEY`, a
/// window of ten metric intervals back from now, and the oldest point of the first series (the newest
/// bucket is usually still filling, fluxcd/flagger#1763). As a series (compared metrics) the window is the
/// comparison's and the answer is every point of the first series, oldest first: the v1 query API takes no
/// step, so Datadog picks the bucket from the window's length unless the query sets one (`.rollup(avg, 60)`).
public struct DatadogProvider: MetricProvider {
    /// Datadog's US API, where queries go without `provider.address`.
    public static let defaultAddress = "https://api.datadoghq.com"

    public static let registration = MetricProviderRegistration(type: .datadog, address: .vendorDefault(defaultAddress), series: true) {
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
        let body = try await send(query, over: try config.window(intervals: 10, perSecond: 1))
        return try DatadogProvider.value(from: body, api: config.api(.datadog))
    }

    /// The query over `window` ending at the clock's date (`from`/`to` in Unix seconds); `resolution` is not
    /// sent, the v1 API has no step parameter.
    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        let body = try await send(query, over: try config.window(window, perSecond: 1))
        return try DatadogProvider.series(from: body, api: config.api(.datadog))
    }

    /// `GET /api/v1/query` over a window in Unix seconds.
    private func send(_ query: String, over window: (from: Int64, to: Int64)) async throws(MetricError) -> [UInt8] {
        let parameters = formQuery([("from", "\(window.from)"), ("query", query), ("to", "\(window.to)")])
        return try await config.api(.datadog).send(.GET, "\(config.baseAddress)/api/v1/query?\(parameters)", headers: headers)
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
        for point in try firstSeries(from: body, api: api) where point.count >= 2 {
            if let value = point[1] {
                guard value.isFinite else { throw MetricError.notFinite("\(value)") }
                return value
            }
        }
        throw MetricError.noValues
    }

    /// Every point of the first series with a value, oldest first (as Datadog lists them), as the single
    /// value takes the first series; nulls dropped.
    static func series(from body: [UInt8], api: VendorAPI) throws(MetricError) -> [Double] {
        try SeriesPoints.finish(try firstSeries(from: body, api: api).lazy.filter { $0.count >= 2 }.map { $0[1] })
    }

    /// The first series' `pointlist`: an error answer is the query's error, no series is no values.
    private static func firstSeries(from body: [UInt8], api: VendorAPI) throws(MetricError) -> [[Double?]] {
        let answer = try api.decode(Answer.self, from: body)
        if answer.status == "error" { throw MetricError.query("datadog: \(answer.error ?? "the query failed")") }
        guard let series = answer.series?.first else { throw MetricError.noValues }
        return series.pointlist ?? []
    }

    /// What Serin reads of the answer (`MetricsQueryResponse` in Datadog's API reference).
    struct Answer: Decodable {
        struct Series: Decodable { var pointlist: [[Double?]]? }
        var status: String?
        var error: String?
        var series: [Series]?
    }
}
