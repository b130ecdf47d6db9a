extension ProxySeries {
    /// Traefik's `traefik_service_requests_total` and `traefik_service_request_duration_seconds` (its default
    /// buckets), by `service` (`<namespace>-<name>-<port>@kubernetescrd`), `code`, `method` and `protocol`.
    static let traefik = ProxySeries(name: "traefik", bounds: [0.1, 0.3, 1.2, 5], seconds: true) { samples in
        func labels(_ sample: ProxySample) -> String { "code=\"\(sample.code)\",method=\"GET\",protocol=\"http\",service=\"\(sample["service"])\"" }
        var lines = [
            "# HELP traefik_service_requests_total How many HTTP requests processed on a service (serin sandbox).",
            "# TYPE traefik_service_requests_total counter",
        ]
        for sample in samples { lines.append("traefik_service_requests_total{\(labels(sample))} \(TrafficHistogram.format(sample.histogram.count))") }
        lines += [
            "# HELP traefik_service_request_duration_seconds How long it took to process the request on a service (serin sandbox).",
            "# TYPE traefik_service_request_duration_seconds histogram",
        ]
        for sample in samples { lines += sample.histogram.lines("traefik_service_request_duration_seconds", labels: labels(sample)) }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ProxyHop {
    /// A Service as Traefik names it in its series.
    static func traefikService(_ name: String) -> ProxyHop { ProxyHop(series: .traefik, labels: ["service": name]) }
}
