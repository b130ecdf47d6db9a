import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// Serin's `web` provider (Argo Rollouts has one; Flagger users ask for it): an HTTP request to any JSON
/// endpoint, the number taken from the answer by a JSONPath. The template's `provider.address` is the base
/// URL; the query says what to ask and what to read:
///
/// ```json
/// {"path": "/api/v1/slo?service={{ target }}.{{ namespace }}", "jsonPath": "$.data.successRate"}
/// ```
///
/// with optional `"method": "POST"` and `"body": "…"` (sent as `application/json`). Each key of the
/// template's Secret is sent as a header of that name (`Authorization: Bearer …`), after `provider.headers`.
public struct WebProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .web, address: .required) {
        config throws(MetricError) in try WebProvider(config: config)
    }

    /// What a `web` template's query asks.
    struct Request: Decodable {
        var path: String?
        var method: String?
        var body: String?
        var jsonPath: String
    }

    let config: MetricProviderConfig

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard let url = URL(string: config.address), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw MetricError.configuration("web address \(config.address) is not an http(s) URL")
        }
        self.config = config
    }

    static func request(from query: String) throws(MetricError) -> (Request, JSONPath) {
        let request: Request
        do { request = try JSONDecoder().decode(Request.self, from: Data(query.utf8)) } catch {
            throw MetricError.query(
                "web: the query must be JSON {\"path\": …, \"jsonPath\": …} (optional \"method\", \"body\"): \(VendorAPI.reason(error))")
        }
        guard ["GET", "POST"].contains((request.method ?? "GET").uppercased()) else {
            throw MetricError.query("web: method \(request.method ?? "") is not GET or POST")
        }
        return (request, try JSONPath(parsing: request.jsonPath))
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        let (request, path) = try WebProvider.request(from: query)
        let answer = try await send(request)
        let document: JSONValue
        do { document = try JSONValue(parsing: String(decoding: answer, as: UTF8.self)) } catch {
            throw MetricError.query("web: the answer is not JSON: \(config.api(.web).scrubbed(String(decoding: answer.prefix(200), as: UTF8.self)))")
        }
        return try path.number(in: document)
    }

    /// The base URL answers (any status below 500).
    public func isOnline() async -> Bool {
        do {
            _ = try await config.api(.web).send(.GET, config.address, headers: headers, accepting: { $0 < 500 })
            return true
        } catch { return false }
    }

    var headers: [(String, String)] {
        var headers = [("Accept", "application/json")]
        for (name, values) in config.headers.sorted(by: { $0.key < $1.key }) { headers += values.map { (name, $0) } }
        for (name, value) in (config.secret ?? [:]).sorted(by: { $0.key < $1.key }) { headers.append((name, value)) }
        return headers
    }

    private func send(_ request: Request) async throws(MetricError) -> [UInt8] {
        let path = request.path ?? ""
        guard path.isEmpty || path.hasPrefix("/") || path.hasPrefix("?") else {
            throw MetricError.query("web: path \(path) must start with / or ?: it is appended to provider.address")
        }
        let url = config.baseAddress + path
        let post = (request.method ?? "GET").uppercased() == "POST"
        var headers = self.headers
        if post { headers.append(("Content-Type", "application/json")) }
        return try await config.api(.web).send(
            post ? .POST : .GET, url, headers: headers, body: post ? Array((request.body ?? "").utf8) : nil, accepting: { (200..<300).contains($0) })
    }
}
