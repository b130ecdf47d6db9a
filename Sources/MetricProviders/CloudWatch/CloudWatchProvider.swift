import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Amazon CloudWatch's `GetMetricData`, as Flagger's `cloudwatch` provider calls it: the query is a JSON
/// array of `MetricDataQuery`, the window ten metric intervals back from now, at most 20 points, and the value
/// is the first value (the newest) of the first result. `provider.region` is required; credentials come from
/// the operator's environment as the AWS SDKs find them (``AWSCredentialChain``), never from a Secret.
///
/// As a series (compared metrics) the window is the comparison's, the points come oldest first
/// (`ScanBy: TimestampAscending`, at most ``SeriesPoints/limit``), and the answer is every value of the first
/// result. The step stays the query's own `Period`: CloudWatch takes only whole minutes (or 1, 5, 10, 30 s
/// for high-resolution metrics), so `resolution` does not override it; set the two alike.
///
/// Serin speaks CloudWatch's JSON protocol (`X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`),
/// signed with SigV4; Flagger's Go SDK sends the same operation in the older query protocol.
public struct CloudWatchProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .cloudwatch, address: .unused, series: true) {
        config throws(MetricError) in try CloudWatchProvider(config: config)
    }

    let config: MetricProviderConfig
    let region: String

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard let region = config.region, !region.isEmpty else { throw MetricError.configuration("region not specified") }
        guard region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw MetricError.configuration("region \(region) is not an AWS region")
        }
        self.config = config
        self.region = region
        _ = try config.parsedInterval()
    }

    /// `provider.address`, else `AWS_ENDPOINT_URL_CLOUDWATCH` or `AWS_ENDPOINT_URL` (the SDKs' overrides), else the region's.
    var endpoint: String {
        if !config.address.isEmpty { return config.address }
        if let url = config.environment["AWS_ENDPOINT_URL_CLOUDWATCH"] ?? config.environment["AWS_ENDPOINT_URL"], !url.isEmpty { return url }
        return "https://monitoring.\(region).amazonaws.com\(region.hasPrefix("cn-") ? ".cn" : "")"
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        let values = try await firstResult(query, over: try config.window(intervals: 10, perSecond: 1), extra: ["MaxDatapoints": 20])
        guard let value = values.first else { throw MetricError.noValues }
        guard value.isFinite else { throw MetricError.notFinite("\(value)") }
        return value
    }

    /// The queries over `window` ending at the clock's date (`StartTime`/`EndTime` in Unix seconds), oldest
    /// point first; `resolution` is not sent (the step is each query's `Period`).
    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        let extra: JSONObject = ["MaxDatapoints": .int(Int64(SeriesPoints.limit)), "ScanBy": "TimestampAscending"]
        return try SeriesPoints.finish(
            try await firstResult(query, over: try config.window(window, perSecond: 1), extra: extra).lazy.map { Optional($0) })
    }

    /// `GetMetricData` of the query's `MetricDataQueries` over a window with `extra` members: the values of the
    /// first result (Flagger's choice).
    private func firstResult(_ query: String, over window: (from: Int64, to: Int64), extra: JSONObject) async throws(MetricError) -> [Double] {
        var request: JSONObject = [
            "MetricDataQueries": .array(try CloudWatchQuery.metricDataQueries(from: query)), "StartTime": .int(window.from),
            "EndTime": .int(window.to),
        ]
        for (key, value) in extra { request[key] = value }
        let api = config.api(.cloudwatch)
        let answer = try api.decode(Answer.self, from: try await send(.object(request), api: api, accepting: { $0 == 200 }))
        guard let values = answer.MetricDataResults?.first?.Values else { throw MetricError.noValues }
        return values
    }

    /// An empty `GetMetricData` reaches AWS and is refused as invalid (400): signed and authorised (Flagger's check).
    public func isOnline() async -> Bool {
        let request: JSONValue = ["MetricDataQueries": [], "StartTime": 0, "EndTime": 0]
        do {
            _ = try await send(request, api: config.api(.cloudwatch), accepting: { $0 == 200 || $0 == 400 })
            return true
        } catch { return false }
    }

    private func send(_ request: JSONValue, api: VendorAPI, accepting: @escaping (Int) -> Bool) async throws(MetricError) -> [UInt8] {
        let credentials = try await AWSCredentialChain(environment: config.environment, region: region, api: api).resolve()
        guard let url = URL(string: endpoint), let host = url.host else { throw MetricError.configuration("cloudwatch: \(endpoint) is not a URL") }
        let body = request.serialized()
        let headers = [
            ("Host", url.port.map { "\(host):\($0)" } ?? host), ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData"),
        ]
        let signer = SigV4(credentials: credentials, region: region, service: "monitoring")
        let path = url.path.isEmpty ? "/" : url.path
        let signed = signer.sign(method: "POST", path: path, headers: headers, body: body, date: config.clock.date)
        return try await api.send(.POST, endpoint, headers: Array(headers.dropFirst()) + signed, body: body, accepting: accepting)
    }

    /// What Serin reads of the answer.
    struct Answer: Decodable {
        struct Result: Decodable {
            var Id: String?
            var Values: [Double]?
        }
        var MetricDataResults: [Result]?
    }
}
