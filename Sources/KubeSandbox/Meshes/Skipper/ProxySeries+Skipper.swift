extension ProxySeries {
    /// Skipper's route metrics (`-serve-route-metrics`, `-route-response-metrics`):
    /// `skipper_serve_route_duration_seconds` and `skipper_response_duration_seconds` (the Prometheus client's
    /// default buckets), by `code`, `method` and `route`.
    static let skipper = ProxySeries(name: "skipper", bounds: TrafficMetrics.applicationBuckets, seconds: true) { samples in
        func labels(_ sample: ProxySample) -> String { "code=\"\(sample.code)\",method=\"GET\",route=\"\(sample["route"])\"" }
        var lines: [String] = []
        for (name, help) in [
            ("skipper_serve_route_duration_seconds", "Duration of serving a route (serin sandbox)."),
            ("skipper_response_duration_seconds", "Duration of the response from the backend of a route (serin sandbox)."),
        ] {
            lines += ["# HELP \(name) \(help)", "# TYPE \(name) histogram"]
            for sample in samples { lines += sample.histogram.lines(name, labels: labels(sample)) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ProxyHop {
    /// A Skipper route, by the ID Skipper gives it.
    static func skipperRoute(_ id: String) -> ProxyHop { ProxyHop(series: .skipper, labels: ["route": id]) }
}
