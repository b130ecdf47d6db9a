import CanaryAPI
import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP

/// The Kubernetes External Metrics API (`external.metrics.k8s.io/v1beta1`), as Flagger's `externalmetrics`
/// provider lists it: the query is `<namespace>/<metric>?labelSelector=<url-encoded selector>`, and the value is
/// the first item's quantity. Without `provider.address` the operator's own API server is asked with its own
/// credentials (the aggregated API of KEDA, Datadog's cluster agent, …); with one, that server is asked, with
/// the Secret's `token` as Bearer when there is one.
public struct ExternalMetricsProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .externalmetrics, address: .unused) {
        config throws(MetricError) in try ExternalMetricsProvider(config: config)
    }

    static let resourcePrefix = "/apis/external.metrics.k8s.io/v1beta1"
    let config: MetricProviderConfig

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard !config.address.isEmpty || config.cluster != nil else {
            throw MetricError.configuration("could not initialize ExternalMetricsProvider: no provider.address and no cluster access")
        }
        self.config = config
    }

    /// What a query names: `[namespace/]metric[?labelSelector=…]` (namespace `default` when left out).
    struct Query: Equatable {
        var namespace: String
        var metric: String
        var labelSelector: String?
    }

    static func parse(_ text: String) throws(MetricError) -> Query {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let usage = "expected <namespace>/<metricName>?labelSelector=<urlencoded label selectors>, got \(trimmed)"
        let (path, parameters) =
            trimmed.firstIndex(of: "?").map { (String(trimmed[..<$0]), String(trimmed[trimmed.index(after: $0)...])) } ?? (trimmed, "")
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else { throw MetricError.query("error parsing metric query: malformed query string, too many slashes, \(usage)") }
        let metric = parts.last ?? ""
        let namespace = parts.count == 2 && !parts[0].isEmpty ? parts[0] : "default"
        guard !metric.isEmpty else { throw MetricError.query("error parsing metric query: metric name cannot be empty") }
        let isName = { (text: String) in text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-.:_@".contains($0)) } }
        guard isName(metric), isName(namespace) else { throw MetricError.query("error parsing metric query: malformed query string, \(usage)") }
        var components = URLComponents()
        components.percentEncodedQuery = parameters
        let selector = components.queryItems?.first { $0.name == "labelSelector" }?.value
        return Query(namespace: namespace, metric: metric, labelSelector: selector.flatMap { $0.isEmpty ? nil : $0 })
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        let parsed = try ExternalMetricsProvider.parse(query)
        let items = try await list(parsed)
        guard let first = items.first else { throw MetricError.noValues }
        guard let text = first["value"]?.stringValue ?? first["value"]?.doubleValue.map({ "\($0)" }) else {
            throw MetricError.query("externalmetrics: the first item has no value")
        }
        guard let value = Quantity.value(of: text) else { throw MetricError.query("externalmetrics: \(text) is not a Kubernetes quantity") }
        guard value.isFinite else { throw MetricError.notFinite(text) }
        return value
    }

    /// Listing a metric answers (Flagger's `dummy-metric` in `kube-system`); a metric the adapter does not know
    /// (404) still means the API is served, an unreachable server, a 401, 403 or 5xx does not.
    public func isOnline() async -> Bool {
        do {
            _ = try await list(Query(namespace: "kube-system", metric: "dummy-metric"))
            return true
        } catch {
            return error.message.contains(": 404 ")
        }
    }

    private func list(_ query: Query) async throws(MetricError) -> [JSONValue] {
        let resource = KubeResource(
            group: "external.metrics.k8s.io", version: "v1beta1", kind: "ExternalMetricValueList", plural: query.metric, namespaced: true)
        if config.address.isEmpty, let cluster = config.cluster {
            do { return try await cluster.list(resource, query.namespace, query.labelSelector) } catch {
                throw MetricError.query(
                    "externalmetrics: \(error.status.map { "\($0) " } ?? "")error querying external metrics API: \(error.message)")
            }
        }
        var parameters: [(String, String)] = []
        if let selector = query.labelSelector { parameters.append(("labelSelector", selector)) }
        let url =
            "\(config.baseAddress)\(Self.resourcePrefix)/namespaces/\(query.namespace)/\(query.metric)"
            + (parameters.isEmpty ? "" : "?\(formQuery(parameters))")
        var headers = [("Accept", "application/json")]
        if let token = config.secret?["token"], !token.isEmpty { headers.append(("Authorization", "Bearer \(token)")) }
        let api = config.api(.externalmetrics)
        let body = try await api.send(.GET, url, headers: headers)
        struct List: Decodable { var items: [JSONValue]? }
        return try api.decode(List.self, from: body).items ?? []
    }
}
