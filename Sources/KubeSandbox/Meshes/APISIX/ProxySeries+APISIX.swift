extension ProxySeries {
    /// APISIX's prometheus plugin: `apisix_http_status` (by `code`) and `apisix_http_latency` (`type="request"`,
    /// Istio's millisecond buckets), by `route` (`<namespace>_<apisixroute>_<http route>`).
    static let apisix = ProxySeries(name: "apisix", bounds: TrafficMetrics.buckets, seconds: false) { samples in
        var lines = ["# HELP apisix_http_status HTTP status codes per service in APISIX (serin sandbox).", "# TYPE apisix_http_status counter"]
        for sample in samples {
            let labels = "code=\"\(sample.code)\",route=\"\(sample["route"])\",matched_uri=\"/*\",consumer=\"\",node=\"\""
            lines.append("apisix_http_status{\(labels)} \(TrafficHistogram.format(sample.histogram.count))")
        }
        lines += [
            "# HELP apisix_http_latency HTTP request latency in milliseconds per service in APISIX (serin sandbox).",
            "# TYPE apisix_http_latency histogram",
        ]
        for (route, histogram) in ProxySeries.merged(samples, by: "route") {
            lines += histogram.lines("apisix_http_latency", labels: "type=\"request\",route=\"\(route)\",consumer=\"\",node=\"\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ProxyHop {
    /// An APISIX route as its ingress controller names it in its series.
    static func apisixRoute(_ route: String) -> ProxyHop { ProxyHop(series: .apisix, labels: ["route": route]) }
}
