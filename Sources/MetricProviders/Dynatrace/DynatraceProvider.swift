import CanaryAPI
import Foundation
import NIOHTTP1
import OutboundHTTP

/// Dynatrace's Metrics API v2 (`GET /api/v2/metrics/query`), as Flagger's `dynatrace` provider queries it:
/// the query as `metricSelector`, the Secret's `dynatrace_token` as `Authorization: Api-Token`, a window of
/// ten metric intervals in milliseconds with `resolution=Inf`, and the first value of the last series. As a
/// series (compared metrics) the window is the comparison's and `resolution` is sent in whole minutes (at
/// least `1m`, Dynatrace's finest), and the answer is every value of the last series.
public struct DynatraceProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .dynatrace, address: .required, series: true) {
        config throws(MetricError) in try DynatraceProvider(config: config)
    }

    let config: MetricProviderConfig
    let token: String

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard !config.address.isEmpty else { throw MetricError.configuration("dynatrace endpoint is not set") }
        self.config = config
        token = try config.credential("dynatrace_token", of: .dynatrace)
        _ = try config.parsedInterval()
    }

    var headers: [(String, String)] { [("Accept", "application/json"), ("Authorization", "Api-Token \(token)")] }

    public func query(_ query: String) async throws(MetricError) -> Double {
        let series = try await lastSeries(query, over: try config.window(intervals: 10, perSecond: 1000), resolution: "Inf")
        // Dynatrace writes `null` for a window without data; Flagger reads that as 0, Serin as no values.
        guard let first = series.first, let value = first else { throw MetricError.noValues }
        guard value.isFinite else { throw MetricError.notFinite("\(value)") }
        return value
    }

    /// The selector over `window` ending at the clock's date (milliseconds), at `resolution` rounded up to
    /// whole minutes: every non-null value of the last series, oldest first.
    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        let values = try await lastSeries(query, over: try config.window(window, perSecond: 1000), resolution: Self.resolution(resolution))
        return try SeriesPoints.finish(values)
    }

    /// Dynatrace's `resolution` for a step: whole minutes, rounded up, at least `1m`. Pure.
    static func resolution(_ step: Duration) -> String {
        let milliseconds = SeriesPoints.count(step, perSecond: 1000)
        return "\(max(1, min(milliseconds / 60_000 + (milliseconds % 60_000 == 0 ? 0 : 1), 525_600)))m"
    }

    /// `GET /api/v2/metrics/query`: the values of the last series of the first result (Flagger's choice).
    private func lastSeries(_ query: String, over window: (from: Int64, to: Int64), resolution: String) async throws(MetricError) -> [Double?] {
        let parameters = formQuery([
            ("from", "\(window.from)"), ("metricSelector", query), ("resolution", resolution), ("to", "\(window.to)"),
        ])
        let api = config.api(.dynatrace)
        let body = try await api.send(.GET, "\(config.baseAddress)/api/v2/metrics/query?\(parameters)", headers: headers)
        let answer = try api.decode(Answer.self, from: body)
        guard let values = answer.result?.first?.data?.last?.values else { throw MetricError.noValues }
        return values
    }

    /// `GET /api/v2/metrics?pageSize=1` answers 200 for a valid token.
    public func isOnline() async -> Bool {
        do {
            _ = try await config.api(.dynatrace).send(.GET, "\(config.baseAddress)/api/v2/metrics?pageSize=1", headers: headers)
            return true
        } catch { return false }
    }

    /// What Serin reads of the answer (`MetricData` in Dynatrace's API reference).
    struct Answer: Decodable {
        struct Collection: Decodable { var data: [Series]? }
        struct Series: Decodable { var values: [Double?]? }
        var result: [Collection]?
    }
}
