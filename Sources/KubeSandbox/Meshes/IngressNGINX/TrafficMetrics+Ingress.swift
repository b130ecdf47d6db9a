extension TrafficMetrics {
    /// ingress-nginx's `nginx_ingress_controller_requests` and `nginx_ingress_controller_response_duration_seconds`,
    /// with its labels (`ingress` the main Ingress, `canary` the canary upstream or empty).
    func ingressExposition() -> String {
        guard !ingressSeries.isEmpty else { return "" }
        let sorted = ingressSeries.sorted { "\($0.key)" < "\($1.key)" }
        func labels(_ key: IngressKey) -> String {
            [
                ("canary", key.hop.canary), ("controller_class", "k8s.io/ingress-nginx"), ("controller_namespace", "ingress-nginx"),
                ("ingress", key.hop.ingress), ("method", "GET"), ("namespace", key.hop.namespace), ("service", key.hop.service),
                ("status", String(key.status)),
            ].map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
        }
        var lines = [
            "# HELP nginx_ingress_controller_requests The total number of client requests (serin sandbox).",
            "# TYPE nginx_ingress_controller_requests counter",
        ]
        for (key, histogram) in sorted { lines.append("nginx_ingress_controller_requests{\(labels(key))} \(format(histogram.count))") }
        lines += [
            "# HELP nginx_ingress_controller_response_duration_seconds The time spent on receiving the response from the upstream server (serin sandbox).",
            "# TYPE nginx_ingress_controller_response_duration_seconds histogram",
        ]
        for (key, histogram) in sorted { lines += histogram.lines("nginx_ingress_controller_response_duration_seconds", labels: labels(key)) }
        return lines.joined(separator: "\n") + "\n"
    }
}
