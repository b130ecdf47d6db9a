import Foundation

/// Istio's request metrics for the requests the traffic simulator and the proxy serve, in the Prometheus
/// text format a real Prometheus scrapes.
///
/// Series: `istio_requests_total` and `istio_request_duration_milliseconds_bucket/_sum/_count`, with the
/// labels Istio's sidecars report (`reporter="destination"`, `destination_workload`,
/// `destination_workload_namespace`, `destination_service`, `response_code`, …).
public actor TrafficMetrics {
    /// Istio's default duration buckets, in milliseconds.
    public static let buckets: [Double] = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1_800_000, 3_600_000]

    /// Who answered a request.
    public struct Destination: Hashable, Sendable {
        public var workload: String
        public var namespace: String
        public var serviceName: String
    }

    struct SeriesKey: Hashable {
        var destination: Destination
        var code: Int
    }

    struct Histogram {
        var counts = [Double](repeating: 0, count: TrafficMetrics.buckets.count)
        var sum = 0.0
        var count = 0.0
    }

    var requests: [SeriesKey: Double] = [:]
    var durations: [Destination: Histogram] = [:]
    /// The applications' own instrumentation (podinfo's `http_request_duration_seconds`), by pod and status.
    private var application: [ApplicationKey: Histogram] = [:]

    /// ingress-nginx's own series, by hop and status (`TrafficMetrics+Ingress.swift`).
    var ingressSeries: [IngressKey: Histogram] = [:]

    struct IngressKey: Hashable {
        var hop: IngressRouting.Hop
        var status: Int
    }

    private struct ApplicationKey: Hashable {
        var namespace: String
        var pod: String
        var status: Int
    }

    /// The Prometheus client's default buckets, in seconds, as instrumented applications use them.
    public static let applicationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init() {}

    /// Records `count` requests with the same code and latency.
    public func record(_ destination: Destination, code: Int, latencyMilliseconds: Double, count: Double = 1) {
        recordApplication(workload: destination.workload, namespace: destination.namespace, code: code,
                          latencyMilliseconds: latencyMilliseconds, count: count)
        requests[SeriesKey(destination: destination, code: code), default: 0] += count
        var histogram = durations[destination] ?? Histogram()
        for (index, bound) in TrafficMetrics.buckets.enumerated() where latencyMilliseconds <= bound { histogram.counts[index] += count }
        histogram.sum += latencyMilliseconds * count
        histogram.count += count
        durations[destination] = histogram
    }

    /// Records requests as the workload's own instrumentation counts them (its pod's `http_request_duration_seconds`).
    public func recordApplication(workload: String, namespace: String, code: Int, latencyMilliseconds: Double, count: Double = 1) {
        let key = ApplicationKey(namespace: namespace, pod: TrafficMetrics.podName(workload), status: code)
        var histogram = application[key] ?? Histogram(counts: [Double](repeating: 0, count: TrafficMetrics.applicationBuckets.count))
        let seconds = latencyMilliseconds / 1000
        for (index, bound) in TrafficMetrics.applicationBuckets.enumerated() where seconds <= bound { histogram.counts[index] += count }
        histogram.sum += seconds * count
        histogram.count += count
        application[key] = histogram
    }

    /// The name of a workload's (one) pod, as a Deployment's pods are named: `<name>-<template hash>-<suffix>`.
    static func podName(_ workload: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in workload.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        func letters(_ count: Int, _ seed: UInt64) -> String {
            var value = seed
            return String((0..<count).map { _ in
                defer { value /= UInt64(alphabet.count) }
                return alphabet[Int(value % UInt64(alphabet.count))]
            })
        }
        return "\(workload)-\(letters(10, hash))-\(letters(5, hash >> 17 &* 31))"
    }

    /// The applications' series alone (with a real data plane, the mesh's come from Envoy).
    public func applicationExposition() -> String {
        var lines = ["# HELP http_request_duration_seconds Request duration by pod and status, as the application measures it (serin sandbox).",
                     "# TYPE http_request_duration_seconds histogram"]
        for (key, histogram) in application.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            let base = "kubernetes_namespace=\"\(key.namespace)\",kubernetes_pod_name=\"\(key.pod)\",status=\"\(key.status)\""
            lines += histogramLines("http_request_duration_seconds", labels: base, histogram)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One histogram in seconds (``applicationBuckets``) as exposition lines: `_bucket`s, `_sum`, `_count`.
    func histogramLines(_ name: String, labels base: String, _ histogram: Histogram) -> [String] {
        var lines = TrafficMetrics.applicationBuckets.enumerated().map { index, bound in
            "\(name)_bucket{\(base),le=\"\(bound)\"} \(format(histogram.counts[index]))"
        }
        lines.append("\(name)_bucket{\(base),le=\"+Inf\"} \(format(histogram.count))")
        lines.append("\(name)_sum{\(base)} \(histogram.sum)")
        lines.append("\(name)_count{\(base)} \(format(histogram.count))")
        return lines
    }

    /// The total requests recorded for a workload (all codes), for tests and the demo.
    public func requestCount(workload: String, namespace: String) -> Double {
        requests.filter { $0.key.destination.workload == workload && $0.key.destination.namespace == namespace }.values.reduce(0, +)
    }

    /// The exposition text.
    public func exposition() -> String {
        var lines = ["# HELP istio_requests_total Requests by destination and response code (serin sandbox).",
                     "# TYPE istio_requests_total counter"]
        for (key, value) in requests.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            lines.append("istio_requests_total{\(TrafficMetrics.labels(key.destination)),response_code=\"\(key.code)\"} \(format(value))")
        }
        lines.append("# HELP istio_request_duration_milliseconds Request duration by destination (serin sandbox).")
        lines.append("# TYPE istio_request_duration_milliseconds histogram")
        for (destination, histogram) in durations.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            let base = TrafficMetrics.labels(destination)
            for (index, bound) in TrafficMetrics.buckets.enumerated() {
                lines.append("istio_request_duration_milliseconds_bucket{\(base),le=\"\(format(bound))\"} \(format(histogram.counts[index]))")
            }
            lines.append("istio_request_duration_milliseconds_bucket{\(base),le=\"+Inf\"} \(format(histogram.count))")
            lines.append("istio_request_duration_milliseconds_sum{\(base)} \(format(histogram.sum))")
            lines.append("istio_request_duration_milliseconds_count{\(base)} \(format(histogram.count))")
        }
        return lines.joined(separator: "\n") + "\n" + applicationExposition() + ingressExposition() + linkerdExposition()
    }

    static func labels(_ destination: Destination) -> String {
        let service = "\(destination.serviceName).\(destination.namespace).svc.cluster.local"
        return [
            ("reporter", "destination"), ("source_workload", "istio-ingressgateway"), ("source_workload_namespace", "istio-system"),
            ("destination_workload", destination.workload), ("destination_workload_namespace", destination.namespace),
            ("destination_service", service), ("destination_service_name", destination.serviceName),
            ("destination_service_namespace", destination.namespace), ("request_protocol", "http"),
            ("connection_security_policy", "mutual_tls"),
        ].map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
    }

    func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
