import CanaryAPI
import Foundation
import NIOHTTP1
import OutboundHTTP

/// Dynatrace's Metrics API v2 (`GET /api/v2/metrics/query`), as Flagger's `dynatrace` provider queries it:
/// the query as `metricSelector`, the Secret's `dynatrace_token` as `Authorization: Api-Token`, a window of
/// ten metric intervals in milliseconds with `resolution=Inf`, and the first value of the last series.
public struct DynatraceProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .dynatrace, address: .required) {
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
        let window = try config.window(intervals: 10, perSecond: 1000)
        let parameters = formQuery([
            ("from", "\(window.from)"), ("metricSelector", query), ("resolution", "Inf"), ("to", "\(window.to)"),
        ])
        let api = config.api(.dynatrace)
        let body = try await api.send(.GET, "\(config.baseAddress)/api/v2/metrics/query?\(parameters)", headers: headers)
        let answer = try api.decode(Answer.self, from: body)
        // Dynatrace writes `null` for a window without data; Flagger reads that as 0, Serin as no values.
        guard let series = answer.result?.first?.data?.last, let first = series.values?.first, let value = first else {
            throw MetricError.noValues
        }
        guard value.isFinite else { throw MetricError.notFinite("\(value)") }
        return value
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
