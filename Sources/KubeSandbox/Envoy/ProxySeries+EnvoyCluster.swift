extension ProxySeries {
    /// Envoy's cluster statistics, as the Envoy-based gateways (Contour, Gloo) and Kuma's dataplanes expose
    /// them: `envoy_cluster_upstream_rq` (by `envoy_response_code`) and `envoy_cluster_upstream_rq_time`
    /// (Istio's millisecond buckets), by `envoy_cluster_name`, and by the dataplane's `service` tag when the
    /// hop has one (Kuma).
    static let envoyCluster = ProxySeries(name: "envoy-cluster", bounds: TrafficMetrics.buckets, seconds: false) { samples in
        func labels(_ sample: ProxySample) -> String {
            let cluster = "envoy_cluster_name=\"\(sample["cluster"])\""
            return sample.labels["service"].map { "\(cluster),service=\"\($0)\"" } ?? cluster
        }
        var lines = [
            "# HELP envoy_cluster_upstream_rq Upstream requests by response code (serin sandbox, as Envoy counts them).",
            "# TYPE envoy_cluster_upstream_rq counter",
        ]
        for sample in samples {
            lines.append(
                "envoy_cluster_upstream_rq{\(labels(sample)),envoy_response_code=\"\(sample.code)\"} \(TrafficHistogram.format(sample.histogram.count))"
            )
        }
        lines += [
            "# HELP envoy_cluster_upstream_rq_time Upstream request time in milliseconds (serin sandbox).",
            "# TYPE envoy_cluster_upstream_rq_time histogram",
        ]
        var histograms: [String: TrafficHistogram] = [:]
        for sample in samples { histograms[labels(sample), default: TrafficHistogram(bounds: sample.histogram.bounds)].merge(sample.histogram) }
        for (labels, histogram) in histograms.sorted(by: { $0.key < $1.key }) {
            lines += histogram.lines("envoy_cluster_upstream_rq_time", labels: labels)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ProxyHop {
    /// An Envoy cluster (`<namespace>_<service>_<port>` for Contour, `<upstream>_<namespace>` for Gloo).
    static func envoyCluster(_ name: String) -> ProxyHop { ProxyHop(series: .envoyCluster, labels: ["cluster": name]) }
}
