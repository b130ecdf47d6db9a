extension ProxySeries {
    /// Envoy's cluster statistics, as the Envoy-based gateways (Contour, Gloo) expose them:
    /// `envoy_cluster_upstream_rq` (by `envoy_response_code`) and `envoy_cluster_upstream_rq_time` (Istio's
    /// millisecond buckets), by `envoy_cluster_name`.
    static let envoyCluster = ProxySeries(name: "envoy-cluster", bounds: TrafficMetrics.buckets, seconds: false) { samples in
        var lines = [
            "# HELP envoy_cluster_upstream_rq Upstream requests by response code (serin sandbox, as Envoy counts them).",
            "# TYPE envoy_cluster_upstream_rq counter",
        ]
        for sample in samples {
            let labels = "envoy_cluster_name=\"\(sample["cluster"])\",envoy_response_code=\"\(sample.code)\""
            lines.append("envoy_cluster_upstream_rq{\(labels)} \(TrafficHistogram.format(sample.histogram.count))")
        }
        lines += [
            "# HELP envoy_cluster_upstream_rq_time Upstream request time in milliseconds (serin sandbox).",
            "# TYPE envoy_cluster_upstream_rq_time histogram",
        ]
        for (cluster, histogram) in ProxySeries.merged(samples, by: "cluster") {
            lines += histogram.lines("envoy_cluster_upstream_rq_time", labels: "envoy_cluster_name=\"\(cluster)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ProxyHop {
    /// An Envoy cluster (`<namespace>_<service>_<port>` for Contour, `<upstream>_<namespace>` for Gloo).
    static func envoyCluster(_ name: String) -> ProxyHop { ProxyHop(series: .envoyCluster, labels: ["cluster": name]) }
}
