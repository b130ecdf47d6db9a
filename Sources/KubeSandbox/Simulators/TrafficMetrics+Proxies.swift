extension TrafficMetrics {
    /// A proxy in front of a workload that counts the requests it passes in its own series.
    enum Hop: Hashable, Sendable {
        /// ingress-nginx, for a main Ingress and its canary.
        case ingress(IngressRouting.Hop)
        /// An Envoy cluster of Contour's (`<namespace>_<service>_<port>`).
        case envoyCluster(String)
        /// A Service as Traefik names it (`<namespace>-<name>-<port>@kubernetescrd`).
        case traefikService(String)
        /// An APISIX route as its ingress controller names it (`<namespace>_<apisixroute>_<http route>`).
        case apisixRoute(String)
    }

    /// Records `count` requests a proxy passed, in its series.
    func record(_ hop: Hop, code: Int, latencyMilliseconds: Double, count: Double) {
        switch hop {
        case .ingress(let ingress):
            ingressSeries[IngressKey(hop: ingress, status: code), default: TrafficHistogram(bounds: TrafficMetrics.applicationBuckets)]
                .observe(latencyMilliseconds / 1000, count: count)
        case .envoyCluster(let cluster):
            envoyClusterSeries[ProxySeriesKey(upstream: cluster, code: code), default: TrafficHistogram(bounds: TrafficMetrics.buckets)]
                .observe(latencyMilliseconds, count: count)
        case .apisixRoute(let route):
            apisixSeries[ProxySeriesKey(upstream: route, code: code), default: TrafficHistogram(bounds: TrafficMetrics.buckets)]
                .observe(latencyMilliseconds, count: count)
        case .traefikService(let service):
            traefikSeries[ProxySeriesKey(upstream: service, code: code), default: TrafficHistogram(bounds: TrafficMetrics.traefikBuckets)]
                .observe(latencyMilliseconds / 1000, count: count)
        }
    }

    /// Contour's Envoy cluster statistics: `envoy_cluster_upstream_rq` (by `envoy_response_code`) and
    /// `envoy_cluster_upstream_rq_time` (Istio's millisecond buckets), by `envoy_cluster_name`.
    func envoyClusterExposition() -> String {
        guard !envoyClusterSeries.isEmpty else { return "" }
        var lines = [
            "# HELP envoy_cluster_upstream_rq Upstream requests by response code (serin sandbox, as Contour's Envoy counts them).",
            "# TYPE envoy_cluster_upstream_rq counter",
        ]
        let sorted = envoyClusterSeries.sorted { ($0.key.upstream, $0.key.code) < ($1.key.upstream, $1.key.code) }
        for (key, histogram) in sorted {
            lines.append(
                "envoy_cluster_upstream_rq{envoy_cluster_name=\"\(key.upstream)\",envoy_response_code=\"\(key.code)\"} \(format(histogram.count))")
        }
        var times: [String: TrafficHistogram] = [:]
        for (key, histogram) in envoyClusterSeries { times[key.upstream, default: TrafficHistogram(bounds: TrafficMetrics.buckets)].merge(histogram) }
        lines += [
            "# HELP envoy_cluster_upstream_rq_time Upstream request time in milliseconds (serin sandbox).",
            "# TYPE envoy_cluster_upstream_rq_time histogram",
        ]
        for (cluster, histogram) in times.sorted(by: { $0.key < $1.key }) {
            lines += histogram.lines("envoy_cluster_upstream_rq_time", labels: "envoy_cluster_name=\"\(cluster)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Traefik's `traefik_service_requests_total` and `traefik_service_request_duration_seconds` (its default
    /// buckets), by `service`, `code`, `method` and `protocol`.
    func traefikExposition() -> String {
        guard !traefikSeries.isEmpty else { return "" }
        let sorted = traefikSeries.sorted { ($0.key.upstream, $0.key.code) < ($1.key.upstream, $1.key.code) }
        func labels(_ key: ProxySeriesKey) -> String { "code=\"\(key.code)\",method=\"GET\",protocol=\"http\",service=\"\(key.upstream)\"" }
        var lines = [
            "# HELP traefik_service_requests_total How many HTTP requests processed on a service (serin sandbox).",
            "# TYPE traefik_service_requests_total counter",
        ]
        for (key, histogram) in sorted { lines.append("traefik_service_requests_total{\(labels(key))} \(format(histogram.count))") }
        lines += [
            "# HELP traefik_service_request_duration_seconds How long it took to process the request on a service (serin sandbox).",
            "# TYPE traefik_service_request_duration_seconds histogram",
        ]
        for (key, histogram) in sorted { lines += histogram.lines("traefik_service_request_duration_seconds", labels: labels(key)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// APISIX's prometheus plugin: `apisix_http_status` (by `code`) and `apisix_http_latency` (`type="request"`,
    /// Istio's millisecond buckets), by `route`.
    func apisixExposition() -> String {
        guard !apisixSeries.isEmpty else { return "" }
        var lines = ["# HELP apisix_http_status HTTP status codes per service in APISIX (serin sandbox).", "# TYPE apisix_http_status counter"]
        let sorted = apisixSeries.sorted { ($0.key.upstream, $0.key.code) < ($1.key.upstream, $1.key.code) }
        for (key, histogram) in sorted {
            lines.append(
                "apisix_http_status{code=\"\(key.code)\",route=\"\(key.upstream)\",matched_uri=\"/*\",consumer=\"\",node=\"\"} \(format(histogram.count))"
            )
        }
        var latencies: [String: TrafficHistogram] = [:]
        for (key, histogram) in apisixSeries { latencies[key.upstream, default: TrafficHistogram(bounds: TrafficMetrics.buckets)].merge(histogram) }
        lines += [
            "# HELP apisix_http_latency HTTP request latency in milliseconds per service in APISIX (serin sandbox).",
            "# TYPE apisix_http_latency histogram",
        ]
        for (route, histogram) in latencies.sorted(by: { $0.key < $1.key }) {
            lines += histogram.lines("apisix_http_latency", labels: "type=\"request\",route=\"\(route)\",consumer=\"\",node=\"\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
