import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP
import PrometheusAPI

/// Answers PromQL queries from a Prometheus server (`GET /api/v1/query`); ``PrometheusAnswer`` reads the
/// answer.
public struct PrometheusProvider: MetricProvider {
    /// Prometheus for ``MetricProviderRegistry``.
    public static let registration = MetricProviderRegistration(type: .prometheus, address: .metricsServer, series: true) {
        config throws(MetricError) in
        try PrometheusProvider(config: config)
    }

    public var address: String
    /// `Authorization` header from the template's secret (`token` → Bearer, `username`/`password` → Basic).
    public var authorization: String?
    public var headers: [String: [String]]
    public var timeout: Duration
    /// Outbound HTTP, honouring `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`.
    public var http: OutboundHTTP
    /// Where a series' window ends.
    public var clock: OperatorClock

    public init(
        address: String, authorization: String? = nil, headers: [String: [String]] = [:], timeout: Duration = .seconds(5),
        http: OutboundHTTP = OutboundHTTP(), clock: OperatorClock = .system
    ) {
        self.clock = clock
        self.address = address
        self.authorization = authorization
        self.headers = headers
        self.timeout = timeout
        self.http = http
    }

    /// A provider from a template's settings: the secret's `token` is sent as a Bearer token, else its
    /// `username` and `password` as Basic; a secret with neither is refused.
    public init(config: MetricProviderConfig, timeout: Duration = .seconds(5)) throws(MetricError) {
        var authorization: String?
        if let secret = config.secret {
            if let token = secret["token"] {
                authorization = "Bearer \(token)"
            } else if let user = secret["username"], let password = secret["password"] {
                authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            } else {
                throw MetricError.configuration("the secret has neither token nor username and password")
            }
        }
        self.init(
            address: config.address, authorization: authorization, headers: config.headers, timeout: timeout, http: config.http, clock: config.clock)
    }

    /// Runs a query and returns its single value.
    public func query(_ query: String) async throws(MetricError) -> Double {
        let body = try await get("query", [URLQueryItem(name: "query", value: query)])
        return try PrometheusProvider.value(from: body)
    }

    /// Runs a query as a range query (`GET /api/v1/query_range`) over `window` ending at the clock's date,
    /// one point per `resolution`: the values of its one series.
    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        let end = clock.date.timeIntervalSince1970
        let step = max(resolution.seconds, 0.001)
        let items = [
            URLQueryItem(name: "query", value: query), URLQueryItem(name: "start", value: String(format: "%.3f", end - window.seconds)),
            URLQueryItem(name: "end", value: String(format: "%.3f", end)), URLQueryItem(name: "step", value: String(format: "%.3f", step)),
        ]
        let body = try await get("query_range", items)
        do { return try PrometheusAnswer.series(from: body) } catch { throw PrometheusProvider.metricError(error) }
    }

    /// A GET of the HTTP API; an answer of 400 or more is an error naming the server.
    private func get(_ endpoint: String, _ items: [URLQueryItem]) async throws(MetricError) -> [UInt8] {
        var components = URLComponents()
        components.queryItems = items
        // URLComponents leaves `+` as it is, and Prometheus (Go's form decoding) reads it as a space:
        // `[0-9a-z]+` or `a + b` would arrive broken.
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        let base = address.hasSuffix("/") ? String(address.dropLast()) : address
        var requestHeaders: [(String, String)] = [("Accept", "application/json")]
        if let authorization { requestHeaders.append(("Authorization", authorization)) }
        for (name, values) in headers { for value in values { requestHeaders.append((name, value)) } }
        let response: OutboundHTTP.Response
        do {
            response = try await http.send(.GET, "\(base)/api/v1/\(endpoint)?\(encoded)", headers: requestHeaders, timeout: timeout)
        } catch {
            throw MetricError.query("failed to query \(base): \(error.reason)")
        }
        guard response.status < 400 else {
            throw MetricError.query("error response from \(base): \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        return response.body
    }

    /// Whether the server answers (`vector(1)` is 1).
    public func isOnline() async -> Bool {
        (try? await query("vector(1)")) == 1
    }

    public static func value(from body: [UInt8]) throws(MetricError) -> Double {
        do { return try PrometheusAnswer.value(from: body) } catch { throw metricError(error) }
    }

    static func metricError(_ problem: PrometheusAnswer.Problem) -> MetricError {
        switch problem {
        case .notJSON(let reason): MetricError.query("the answer is not JSON: \(reason)")
        case .failed(let message): MetricError.query(message)
        case .multipleValues: MetricError.multipleValues
        case .noValues: MetricError.noValues
        case .notFinite(let text): MetricError.notFinite(text)
        }
    }
}
