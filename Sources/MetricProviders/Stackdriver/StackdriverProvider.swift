import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Google Cloud Monitoring's MQL query (`projects.timeSeries.query`), as Flagger's `stackdriver` provider
/// runs it: the Secret's `project`, and its optional `serviceAccountKey` (else Workload Identity through the
/// metadata server); the value is the first value of the first point (the newest) of the first series.
/// Serin calls the REST form of the API (`POST /v3/projects/<project>/timeSeries:query`); Flagger's Go
/// client calls the same method over gRPC.
///
/// As a series (compared metrics) the answer is every point of the first series (Flagger's choice for the
/// value), oldest first. The MQL sets its own step and window (`| every {{ interval }} | within 5m`): the
/// query method takes no interval beside the query, so `window` and `resolution` are not sent.
public struct StackdriverProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(
        type: .stackdriver, address: .vendorDefault("https://monitoring.googleapis.com"), series: true
    ) {
        config throws(MetricError) in try StackdriverProvider(config: config)
    }

    let config: MetricProviderConfig
    let project: String
    let account: GoogleServiceAccount?

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard let project = config.secret?["project"], !project.isEmpty else {
            throw MetricError.configuration("stackdriver credentials does not contain a project id")
        }
        guard project.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ":" || $0 == ".") }) else {
            throw MetricError.configuration("stackdriver: project \(project) is not a Google Cloud project id")
        }
        self.config = config
        self.project = project
        account = try config.secret?["serviceAccountKey"].flatMap { $0.isEmpty ? nil : $0 }.map { json throws(MetricError) in
            try GoogleServiceAccount(json: json)
        }
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        guard let point = try await firstSeries(query).first else { throw MetricError.noValues }
        guard let value = try StackdriverProvider.number(point) else { throw MetricError.noValues }
        guard value.isFinite else { throw MetricError.notFinite("\(value)") }
        return value
    }

    /// The MQL query as it is written: the first series' points, oldest first (the API lists the newest first).
    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        let points = try await firstSeries(query).prefix(SeriesPoints.limit)
        var values: [Double?] = []
        for point in points.reversed() { values.append(try StackdriverProvider.number(point)) }
        return try SeriesPoints.finish(values)
    }

    /// `timeSeries:query`: the points of the first series, as the API lists them.
    private func firstSeries(_ query: String) async throws(MetricError) -> [Answer.Point] {
        let api = config.api(.stackdriver)
        let answer = try api.decode(Answer.self, from: try await send(query, api: api, accepting: { $0 == 200 }))
        return answer.timeSeriesData?.first?.pointData ?? []
    }

    /// A point's first value as a number (a bool as 0 or 1), `nil` without one (a value with no member set);
    /// a distribution or a string is refused by name.
    static func number(_ point: Answer.Point) throws(MetricError) -> Double? {
        guard let typed = point.values?.first else { return nil }
        if let value = typed.doubleValue ?? typed.int64Value.flatMap(Double.init) ?? typed.boolValue.map({ $0 ? 1 : 0 }) { return value }
        guard typed.stringValue == nil, typed.distributionValue == nil else {
            throw MetricError.query("stackdriver: the point is not a number (a distribution or a string)")
        }
        return nil
    }

    /// An empty query is refused as invalid (400) once the call is authorised (Flagger's check).
    public func isOnline() async -> Bool {
        do {
            _ = try await send("", api: config.api(.stackdriver), accepting: { $0 == 200 || $0 == 400 })
            return true
        } catch { return false }
    }

    private func send(_ query: String, api: VendorAPI, accepting: @escaping (Int) -> Bool) async throws(MetricError) -> [UInt8] {
        let token = try await GoogleAccessToken(account: account, api: api).token()
        let body = JSONValue.object(["query": .string(query)]).serialized()
        return try await api.send(
            .POST, "\(config.baseAddress)/v3/projects/\(project)/timeSeries:query",
            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"), ("Accept", "application/json")], body: body,
            accepting: accepting)
    }

    /// What Serin reads of a `QueryTimeSeriesResponse` (int64 values are JSON strings).
    struct Answer: Decodable {
        struct Series: Decodable { var pointData: [Point]? }
        struct Point: Decodable { var values: [TypedValue]? }
        struct TypedValue: Decodable {
            var doubleValue: Double?
            var int64Value: String?
            var boolValue: Bool?
            var stringValue: String?
            var distributionValue: Distribution?
        }
        /// A `Distribution`: only whether there is one matters.
        struct Distribution: Decodable {}
        var timeSeriesData: [Series]?
    }
}
