import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Answers PromQL queries from a Prometheus server (`GET /api/v1/query`).
///
/// One value is expected: the last series of a vector wins (as in Flagger); a matrix is "multiple values",
/// an empty result or NaN is "no values".
public struct PrometheusProvider: Sendable {
    public var address: String
    /// `Authorization` header from the template's secret (`token` → Bearer, `username`/`password` → Basic).
    public var authorization: String?
    public var headers: [String: [String]]
    public var timeout: Duration
    /// Outbound HTTP, honouring `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`.
    public var http: OutboundHTTP

    public init(address: String, authorization: String? = nil, headers: [String: [String]] = [:], timeout: Duration = .seconds(5),
                http: OutboundHTTP = OutboundHTTP()) {
        self.address = address
        self.authorization = authorization
        self.headers = headers
        self.timeout = timeout
        self.http = http
    }

    /// Runs a query and returns its single value.
    public func query(_ query: String) async throws(MetricError) -> Double {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "query", value: query)]
        let base = address.hasSuffix("/") ? String(address.dropLast()) : address
        var requestHeaders: [(String, String)] = [("Accept", "application/json")]
        if let authorization { requestHeaders.append(("Authorization", authorization)) }
        for (name, values) in headers { for value in values { requestHeaders.append((name, value)) } }
        let response: OutboundHTTP.Response
        do {
            response = try await http.send(.GET, "\(base)/api/v1/query?\(components.percentEncodedQuery ?? "")", headers: requestHeaders,
                                           timeout: timeout)
        } catch {
            throw MetricError.query("failed to query \(base): \(error.reason)")
        }
        let status = response.status
        let body = response.body
        guard status < 400 else { throw MetricError.query("error response from \(base): \(status): \(String(decoding: body.prefix(300), as: UTF8.self))") }
        return try PrometheusProvider.value(from: body)
    }

    /// Whether the server answers (`vector(1)` is 1).
    public func isOnline() async -> Bool {
        (try? await query("vector(1)")) == 1
    }

    static func value(from body: [UInt8]) throws(MetricError) -> Double {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw MetricError.query("the answer is not JSON: \(error)") }
        guard json["status"]?.stringValue == "success" else {
            throw MetricError.query(json["error"]?.stringValue ?? "the query failed")
        }
        if json[path: "data", "resultType"]?.stringValue == "matrix" { throw MetricError.multipleValues }
        let results = json[path: "data", "result"]?.arrayValue ?? []
        guard let last = results.last, let text = last["value"]?[1]?.stringValue, let value = Double(text), !value.isNaN else {
            throw MetricError.noValues
        }
        guard value.isFinite else { throw MetricError.notFinite(text) }
        return value
    }
}
