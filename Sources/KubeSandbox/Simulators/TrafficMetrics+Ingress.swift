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
            envoyClusterSeries[EnvoyClusterKey(cluster: cluster, code: code), default: TrafficHistogram(bounds: TrafficMetrics.buckets)]
                .observe(latencyMilliseconds, count: count)
        case .apisixRoute(let route):
            apisixSeries[EnvoyClusterKey(cluster: route, code: code), default: TrafficHistogram(bounds: TrafficMetrics.buckets)]
                .observe(latencyMilliseconds, count: count)
        case .traefikService(let service):
            traefikSeries[EnvoyClusterKey(cluster: service, code: code), default: TrafficHistogram(bounds: TrafficMetrics.traefikBuckets)]
                .observe(latencyMilliseconds / 1000, count: count)
        }
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
        for (key, histogram) in sorted { lines += histogram.lines("nginx_ingress_controller_response_duration_seconds", labels: labels(key)) }
        return lines.joined(separator: "\n") + "\n"
    }
}
