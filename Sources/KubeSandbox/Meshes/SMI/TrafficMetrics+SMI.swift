extension TrafficMetrics {
    /// The SMI meshes' proxy metrics for the same requests, as each workload's inbound proxy reports them:
    /// Linkerd's `response_total` (`classification` success or failure, `status_code`) and
    /// `response_latency_ms`, by `namespace` and `deployment`; Open Service Mesh's `osm_request_total`
    /// (`response_code`) and `osm_request_duration_ms`, by `destination_namespace`, `destination_kind` and
    /// `destination_name`. Durations in Istio's millisecond buckets.
    func smiExposition() -> String {
        guard !requests.isEmpty else { return "" }
        struct Workload: Hashable, Comparable {
            var namespace: String, deployment: String
            static func < (lhs: Workload, rhs: Workload) -> Bool { (lhs.namespace, lhs.deployment) < (rhs.namespace, rhs.deployment) }
            var labels: String { "direction=\"inbound\",namespace=\"\(namespace)\",deployment=\"\(deployment)\"" }
            var osmLabels: String { "destination_namespace=\"\(namespace)\",destination_kind=\"Deployment\",destination_name=\"\(deployment)\"" }
        }
        var responses: [Workload: [Int: Double]] = [:]
        for (key, count) in requests {
            responses[Workload(namespace: key.destination.namespace, deployment: key.destination.workload), default: [:]][key.code, default: 0] +=
                count
        }
        var latencies: [Workload: TrafficHistogram] = [:]
        for (destination, histogram) in durations {
            latencies[
                Workload(namespace: destination.namespace, deployment: destination.workload),
                default: TrafficHistogram(bounds: TrafficMetrics.buckets)
            ]
            .merge(histogram)
        }
        var lines = [
            "# HELP response_total Total count of HTTP responses (serin sandbox, as Linkerd's proxy counts them).",
            "# TYPE response_total counter",
        ]
        for (workload, codes) in responses.sorted(by: { $0.key < $1.key }) {
            for (code, count) in codes.sorted(by: { $0.key < $1.key }) {
                let classification = code >= 500 ? "failure" : "success"
                lines.append("response_total{\(workload.labels),classification=\"\(classification)\",status_code=\"\(code)\"} \(format(count))")
            }
        }
        lines += [
            "# HELP response_latency_ms Elapsed times between a request's headers being received and its response stream completing (serin sandbox).",
            "# TYPE response_latency_ms histogram",
        ]
        for (workload, histogram) in latencies.sorted(by: { $0.key < $1.key }) {
            lines += histogram.lines("response_latency_ms", labels: workload.labels)
        }
        lines += [
            "# HELP osm_request_total Requests by destination and response code (serin sandbox, as OSM's proxies count them).",
            "# TYPE osm_request_total counter",
        ]
        for (workload, codes) in responses.sorted(by: { $0.key < $1.key }) {
            for (code, count) in codes.sorted(by: { $0.key < $1.key }) {
                lines.append("osm_request_total{\(workload.osmLabels),response_code=\"\(code)\"} \(format(count))")
            }
        }
        lines += ["# HELP osm_request_duration_ms Request durations (serin sandbox).", "# TYPE osm_request_duration_ms histogram"]
        for (workload, histogram) in latencies.sorted(by: { $0.key < $1.key }) {
            lines += histogram.lines("osm_request_duration_ms", labels: workload.osmLabels)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
