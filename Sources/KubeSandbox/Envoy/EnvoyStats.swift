import Foundation

/// Envoy's own cluster statistics (`/stats/prometheus`) relabelled as Istio's stats filter names them, so
/// Flagger's built-in Istio queries read what Envoy counted: `envoy_cluster_upstream_rq{envoy_response_code}`
/// becomes `istio_requests_total{response_code}` and `envoy_cluster_upstream_rq_time` (milliseconds)
/// `istio_request_duration_milliseconds`, with the destination labels of the cluster's workload and Service.
/// Values are Envoy's, unchanged. A pure function.
enum EnvoyStats {
    static func istioExposition(_ envoy: String, clusters: [String: EnvoyMesh.Upstream]) -> String {
        var requests: [String] = []
        var durations: [String] = []
        for line in envoy.split(separator: "\n") where !line.hasPrefix("#") {
            guard let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { continue }
            let name = line[..<open]
            let labels = parse(line[line.index(after: open)..<close])
            let value = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard let cluster = labels["envoy_cluster_name"], let upstream = clusters[cluster] else { continue }
            let base = TrafficMetrics.labels(.init(workload: upstream.workload, namespace: upstream.namespace, serviceName: upstream.serviceName))
            switch name {
            case "envoy_cluster_upstream_rq":
                guard let code = labels["envoy_response_code"] else { continue }
                requests.append("istio_requests_total{\(base),response_code=\"\(code)\"} \(value)")
            case "envoy_cluster_upstream_rq_time_bucket":
                guard let bound = labels["le"] else { continue }
                durations.append("istio_request_duration_milliseconds_bucket{\(base),le=\"\(bound)\"} \(value)")
            case "envoy_cluster_upstream_rq_time_sum": durations.append("istio_request_duration_milliseconds_sum{\(base)} \(value)")
            case "envoy_cluster_upstream_rq_time_count": durations.append("istio_request_duration_milliseconds_count{\(base)} \(value)")
            default: continue
            }
        }
        return
            ([
                "# HELP istio_requests_total Requests by destination and response code (Envoy's upstream_rq).",
                "# TYPE istio_requests_total counter",
            ] + requests
            + [
                "# HELP istio_request_duration_milliseconds Request duration by destination (Envoy's upstream_rq_time).",
                "# TYPE istio_request_duration_milliseconds histogram",
            ] + durations).joined(separator: "\n") + "\n"
    }

    /// `a="1",b="x"` → labels (Envoy writes no escaped quotes in these).
    static func parse(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var rest = text
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            let afterQuote = rest.index(equals, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex
            guard afterQuote <= rest.endIndex, let end = rest[afterQuote...].firstIndex(of: "\"") else { break }
            labels[key] = String(rest[afterQuote..<end])
            rest = rest[rest.index(after: end)...]
        }
        return labels
    }
}
