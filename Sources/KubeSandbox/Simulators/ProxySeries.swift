/// How one kind of proxy (an ingress controller, a gateway's Envoy) counts the requests it passes and writes
/// them for Prometheus, in its own metric names and labels. A simulated mesh's routing names the series
/// on each ``ServiceResolver/Destination`` it routes through (``ProxyHop``); ``TrafficMetrics`` keeps the
/// counts and asks each series present to write its exposition. Each series is defined in its mesh's folder.
struct ProxySeries: Sendable {
    /// Who writes it (`ingress-nginx`, `traefik`, …); the expositions are written in this order.
    let name: String
    /// The histogram's bucket bounds, in the unit the proxy reports.
    let bounds: [Double]
    /// Whether the proxy reports durations in seconds (else milliseconds).
    let seconds: Bool
    /// The exposition text of the samples recorded, sorted by labels then code.
    let exposition: @Sendable (_ samples: [ProxySample]) -> String
}

/// Requests a proxy passed to one upstream with one response code.
struct ProxySample: Sendable {
    /// The labels that name the upstream as the proxy names it (`service`, `ingress`, `envoy_cluster_name`, …).
    var labels: [String: String]
    var code: Int
    var histogram: TrafficHistogram
}

/// A proxy in front of a workload that counts a request in its own series, and the upstream's labels.
struct ProxyHop: Sendable {
    var series: ProxySeries
    var labels: [String: String]
}

extension ProxySeries {
    /// The samples' histograms summed over the codes, by the value of `label`, sorted by it.
    static func merged(_ samples: [ProxySample], by label: String) -> [(String, TrafficHistogram)] {
        var merged: [String: TrafficHistogram] = [:]
        for sample in samples { merged[sample[label], default: TrafficHistogram(bounds: sample.histogram.bounds)].merge(sample.histogram) }
        return merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

extension ProxySample {
    /// The value of `label`, empty when absent.
    subscript(_ label: String) -> String { labels[label] ?? "" }
}
