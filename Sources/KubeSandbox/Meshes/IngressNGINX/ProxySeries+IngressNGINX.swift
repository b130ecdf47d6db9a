extension ProxySeries {
    /// ingress-nginx's `nginx_ingress_controller_requests` and `nginx_ingress_controller_response_duration_seconds`
    /// (the Prometheus client's default buckets), with its labels: `ingress` the main Ingress (canary requests
    /// included), `namespace`, `service`, and `canary` the canary upstream (`<namespace>-<service>-<port>`) or empty.
    static let ingressNGINX = ProxySeries(name: "ingress-nginx", bounds: TrafficMetrics.applicationBuckets, seconds: true) { samples in
        func labels(_ sample: ProxySample) -> String {
            [
                ("canary", sample["canary"]), ("controller_class", "k8s.io/ingress-nginx"), ("controller_namespace", "ingress-nginx"),
                ("ingress", sample["ingress"]), ("method", "GET"), ("namespace", sample["namespace"]), ("service", sample["service"]),
                ("status", String(sample.code)),
            ].map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
        }
        var lines = [
            "# HELP nginx_ingress_controller_requests The total number of client requests (serin sandbox).",
            "# TYPE nginx_ingress_controller_requests counter",
        ]
        for sample in samples {
            lines.append("nginx_ingress_controller_requests{\(labels(sample))} \(TrafficHistogram.format(sample.histogram.count))")
        }
        lines += [
            "# HELP nginx_ingress_controller_response_duration_seconds The time spent on receiving the response from the upstream server (serin sandbox).",
            "# TYPE nginx_ingress_controller_response_duration_seconds histogram",
        ]
        for sample in samples { lines += sample.histogram.lines("nginx_ingress_controller_response_duration_seconds", labels: labels(sample)) }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ProxyHop {
    /// A main Ingress or its canary, as ingress-nginx's series label it.
    static func ingress(_ hop: IngressRouting.Hop) -> ProxyHop {
        ProxyHop(series: .ingressNGINX, labels: ["ingress": hop.ingress, "namespace": hop.namespace, "service": hop.service, "canary": hop.canary])
    }
}
