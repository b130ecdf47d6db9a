extension TrafficMetrics {
    /// Records `count` requests the ingress controller passed on `hop`, as ingress-nginx counts them.
    func recordIngress(_ hop: IngressRouting.Hop, code: Int, latencyMilliseconds: Double, count: Double) {
        let key = IngressKey(hop: hop, status: code)
        var histogram = ingressSeries[key] ?? Histogram(counts: [Double](repeating: 0, count: TrafficMetrics.applicationBuckets.count))
        let seconds = latencyMilliseconds / 1000
        for (index, bound) in TrafficMetrics.applicationBuckets.enumerated() where seconds <= bound { histogram.counts[index] += count }
        histogram.sum += seconds * count
        histogram.count += count
        ingressSeries[key] = histogram
    }

    /// ingress-nginx's `nginx_ingress_controller_requests` and `nginx_ingress_controller_response_duration_seconds`,
    /// with its labels (`ingress` the main Ingress, `canary` the canary upstream or empty).
    func ingressExposition() -> String {
        guard !ingressSeries.isEmpty else { return "" }
        let sorted = ingressSeries.sorted { "\($0.key)" < "\($1.key)" }
        func labels(_ key: IngressKey) -> String {
            [("canary", key.hop.canary), ("controller_class", "k8s.io/ingress-nginx"), ("controller_namespace", "ingress-nginx"),
             ("ingress", key.hop.ingress), ("method", "GET"), ("namespace", key.hop.namespace), ("service", key.hop.service),
             ("status", String(key.status))].map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
        }
        var lines = ["# HELP nginx_ingress_controller_requests The total number of client requests (serin sandbox).",
                     "# TYPE nginx_ingress_controller_requests counter"]
        for (key, histogram) in sorted { lines.append("nginx_ingress_controller_requests{\(labels(key))} \(format(histogram.count))") }
        lines += ["# HELP nginx_ingress_controller_response_duration_seconds The time spent on receiving the response from the upstream server (serin sandbox).",
                  "# TYPE nginx_ingress_controller_response_duration_seconds histogram"]
        for (key, histogram) in sorted { lines += histogramLines("nginx_ingress_controller_response_duration_seconds", labels: labels(key), histogram) }
        return lines.joined(separator: "\n") + "\n"
    }
}
