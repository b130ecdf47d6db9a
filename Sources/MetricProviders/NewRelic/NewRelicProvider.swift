import CanaryAPI
import Foundation
import NIOHTTP1
import OutboundHTTP

/// New Relic's Insights query API (`GET /v1/accounts/<id>/query?nrql=`), as Flagger's `newrelic` provider
/// queries it: the Secret's `newrelic_account_id` in the path and `newrelic_query_key` as `X-Query-Key`,
/// the NRQL followed by ` SINCE <interval in seconds> seconds ago`, and the `result` of the one result.
public struct NewRelicProvider: MetricProvider {
    /// New Relic's US Insights API, where queries go without `provider.address`.
    public static let defaultAddress = "https://insights-api.newrelic.com"

    public static let registration = MetricProviderRegistration(type: .newrelic, address: .vendorDefault(defaultAddress)) {
        config throws(MetricError) in try NewRelicProvider(config: config)
    }

    let config: MetricProviderConfig
    let accountID: String
    let queryKey: String
    let seconds: Int64

    public init(config: MetricProviderConfig) throws(MetricError) {
        self.config = config
        accountID = try config.credential("newrelic_account_id", of: .newrelic)
        queryKey = try config.credential("newrelic_query_key", of: .newrelic)
        seconds = try config.parsedInterval().components.seconds
    }

    /// The NRQL sent for `query`: Flagger appends the window; the query is sent as written otherwise.
    func nrql(_ query: String) -> String { "\(query) SINCE \(seconds) seconds ago" }

    public func query(_ query: String) async throws(MetricError) -> Double {
        let body = try await send(nrql(query))
        let api = config.api(.newrelic)
        let answer = try api.decode(Answer.self, from: body)
        guard let results = answer.results, results.count == 1, let value = results[0].result else { throw MetricError.noValues }
        guard value.isFinite else { throw MetricError.notFinite("\(value)") }
        return value
    }

    /// `SELECT * FROM Metric SINCE …` answers 200.
    public func isOnline() async -> Bool {
        do {
            _ = try await send("SELECT * FROM Metric SINCE \(seconds) seconds ago")
            return true
        } catch { return false }
    }

    private func send(_ nrql: String) async throws(MetricError) -> [UInt8] {
        let account = accountID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? ""
        let url = "\(config.baseAddress)/v1/accounts/\(account)/query?\(formQuery([("nrql", nrql)]))"
        return try await config.api(.newrelic).send(.GET, url, headers: [("Accept", "application/json"), ("X-Query-Key", queryKey)])
    }

    /// What Serin reads of the answer: `{"results": [{"result": <number>}]}`.
    struct Answer: Decodable {
        struct Result: Decodable { var result: Double? }
        var results: [Result]?
    }
}
