extension TrafficMetrics {
    /// Contour's Envoy cluster statistics: `envoy_cluster_upstream_rq` (by `envoy_response_code`) and
    /// `envoy_cluster_upstream_rq_time` (Istio's millisecond buckets), by `envoy_cluster_name`.
    func envoyClusterExposition() -> String {
        guard !envoyClusterSeries.isEmpty else { return "" }
        var lines = ["# HELP envoy_cluster_upstream_rq Upstream requests by response code (serin sandbox, as Contour's Envoy counts them).",
                     "# TYPE envoy_cluster_upstream_rq counter"]
        let sorted = envoyClusterSeries.sorted { ($0.key.cluster, $0.key.code) < ($1.key.cluster, $1.key.code) }
        for (key, histogram) in sorted {
            lines.append("envoy_cluster_upstream_rq{envoy_cluster_name=\"\(key.cluster)\",envoy_response_code=\"\(key.code)\"} \(format(histogram.count))")
        }
        var times: [String: TrafficHistogram] = [:]
        for (key, histogram) in envoyClusterSeries { times[key.cluster, default: TrafficHistogram(bounds: TrafficMetrics.buckets)].merge(histogram) }
        lines += ["# HELP envoy_cluster_upstream_rq_time Upstream request time in milliseconds (serin sandbox).",
                  "# TYPE envoy_cluster_upstream_rq_time histogram"]
        for (cluster, histogram) in times.sorted(by: { $0.key < $1.key }) {
            lines += histogram.lines("envoy_cluster_upstream_rq_time", labels: "envoy_cluster_name=\"\(cluster)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
