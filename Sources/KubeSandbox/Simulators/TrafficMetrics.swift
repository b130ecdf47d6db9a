import Foundation

/// Istio's request metrics for the requests the traffic simulator and the proxy serve, in the Prometheus
/// text format a real Prometheus scrapes.
///
/// Series: `istio_requests_total` and `istio_request_duration_milliseconds_bucket/_sum/_count`, with the
/// labels Istio's sidecars report (`reporter="destination"`, `destination_workload`,
/// `destination_workload_namespace`, `destination_service`, `response_code`, …).
public actor TrafficMetrics {
    /// Istio's default duration buckets, in milliseconds.
    public static let buckets: [Double] = [
        0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1_800_000, 3_600_000,
    ]

    /// Who answered a request.
    public struct Destination: Hashable, Sendable {
        public var workload: String
        public var namespace: String
        public var serviceName: String
        /// The answering pods' `controller-revision-hash` (a StatefulSet's), carried as `controller_revision_hash`
        /// as Prometheus's pod scrape maps pod labels; `nil` for the other workloads.
        public var revision: String?

        public init(workload: String, namespace: String, serviceName: String, revision: String? = nil) {
            self.workload = workload
            self.namespace = namespace
            self.serviceName = serviceName
            self.revision = revision
        }
    }

    struct SeriesKey: Hashable {
        var destination: Destination
        var code: Int
    }

    var requests: [SeriesKey: Double] = [:]
    var durations: [Destination: TrafficHistogram] = [:]
    /// The applications' own instrumentation (podinfo's `http_request_duration_seconds`), by pod and status.
    private var application: [ApplicationKey: TrafficHistogram] = [:]

    /// Each proxy's own series (``ProxySeries``), by series name: the series and its histograms by hop and code.
    private var proxies: [String: (series: ProxySeries, histograms: [ProxyKey: TrafficHistogram])] = [:]

    private struct ProxyKey: Hashable {
        var labels: [String: String]
        var code: Int
    }

    private struct ApplicationKey: Hashable {
        var namespace: String
        var pod: String
        var status: Int
        var revision: String?
    }

    /// The Prometheus client's default buckets, in seconds, as instrumented applications use them.
    public static let applicationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init() {}

    /// Records `count` requests with the same code and latency.
    public func record(_ destination: Destination, code: Int, latencyMilliseconds: Double, count: Double = 1) {
        recordApplication(
            workload: destination.workload, namespace: destination.namespace, code: code,
            latencyMilliseconds: latencyMilliseconds, count: count, revision: destination.revision)
        requests[SeriesKey(destination: destination, code: code), default: 0] += count
        durations[destination, default: TrafficHistogram(bounds: TrafficMetrics.buckets)].observe(latencyMilliseconds, count: count)
    }

    /// Records requests as the workload's own instrumentation counts them (its pod's `http_request_duration_seconds`).
    public func recordApplication(
        workload: String, namespace: String, code: Int, latencyMilliseconds: Double, count: Double = 1, revision: String? = nil
    ) {
        let key = ApplicationKey(namespace: namespace, pod: revision ?? TrafficMetrics.podName(workload), status: code, revision: revision)
        application[key, default: TrafficHistogram(bounds: TrafficMetrics.applicationBuckets)].observe(latencyMilliseconds / 1000, count: count)
    }

    /// The name of a workload's (one) pod, as a Deployment's pods are named: `<name>-<template hash>-<suffix>`.
    static func podName(_ workload: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in workload.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        func letters(_ count: Int, _ seed: UInt64) -> String {
            var value = seed
            return String(
                (0..<count).map { _ in
                    defer { value /= UInt64(alphabet.count) }
                    return alphabet[Int(value % UInt64(alphabet.count))]
                })
        }
        return "\(workload)-\(letters(10, hash))-\(letters(5, hash >> 17 &* 31))"
    }

    /// The applications' series alone (with a real data plane, the mesh's come from Envoy).
    public func applicationExposition() -> String {
        var lines = [
            "# HELP http_request_duration_seconds Request duration by pod and status, as the application measures it (serin sandbox).",
            "# TYPE http_request_duration_seconds histogram",
        ]
        for (key, histogram) in application.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            var base = "kubernetes_namespace=\"\(key.namespace)\",kubernetes_pod_name=\"\(key.pod)\",status=\"\(key.status)\""
            if let revision = key.revision { base += ",controller_revision_hash=\"\(revision)\"" }
            lines += histogram.lines("http_request_duration_seconds", labels: base)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The total requests recorded for a workload (all codes), for tests and the demo.
    public func requestCount(workload: String, namespace: String) -> Double {
        requests.filter { $0.key.destination.workload == workload && $0.key.destination.namespace == namespace }.values.reduce(0, +)
    }

    /// What one workload has answered so far: every request, and those answered with a 5xx.
    public struct WorkloadRequests: Hashable, Sendable {
        public var namespace: String
        public var workload: String
        public var total: Double
        public var serverErrors: Double
    }

    /// Every workload's requests so far (all its Services together), sorted by namespace and workload: for
    /// tests that carry the traffic to another metrics system (Graphite).
    public func requestsByWorkload() -> [WorkloadRequests] {
        var byWorkload: [[String]: WorkloadRequests] = [:]
        for (key, count) in requests {
            let name = [key.destination.namespace, key.destination.workload]
            var entry = byWorkload[name] ?? WorkloadRequests(namespace: name[0], workload: name[1], total: 0, serverErrors: 0)
            entry.total += count
            if (500..<600).contains(key.code) { entry.serverErrors += count }
            byWorkload[name] = entry
        }
        return byWorkload.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
    }

    /// The exposition text.
    public func exposition() -> String {
        var lines = [
            "# HELP istio_requests_total Requests by destination and response code (serin sandbox).",
            "# TYPE istio_requests_total counter",
        ]
        for (key, value) in requests.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            lines.append("istio_requests_total{\(TrafficMetrics.labels(key.destination)),response_code=\"\(key.code)\"} \(format(value))")
        }
        lines.append("# HELP istio_request_duration_milliseconds Request duration by destination (serin sandbox).")
        lines.append("# TYPE istio_request_duration_milliseconds histogram")
        for (destination, histogram) in durations.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            lines += histogram.lines("istio_request_duration_milliseconds", labels: TrafficMetrics.labels(destination))
        }
        return lines.joined(separator: "\n") + "\n" + applicationExposition() + smiExposition() + proxyExposition()
    }

    /// Records `count` requests a proxy passed, in its own series.
    func record(_ hop: ProxyHop, code: Int, latencyMilliseconds: Double, count: Double) {
        let value = hop.series.seconds ? latencyMilliseconds / 1000 : latencyMilliseconds
        proxies[hop.series.name, default: (hop.series, [:])]
            .histograms[ProxyKey(labels: hop.labels, code: code), default: TrafficHistogram(bounds: hop.series.bounds)]
            .observe(value, count: count)
    }

    /// Each proxy series recorded, in the order of their names, its samples sorted by labels and code.
    func proxyExposition() -> String {
        proxies.sorted { $0.key < $1.key }.map { _, entry in
            let samples = entry.histograms.map { ProxySample(labels: $0.key.labels, code: $0.key.code, histogram: $0.value) }
            func order(_ sample: ProxySample) -> String {
                sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            }
            return entry.series.exposition(samples.sorted { (order($0), $0.code) < (order($1), $1.code) })
        }.joined()
    }

    static func labels(_ destination: Destination) -> String {
        let service = "\(destination.serviceName).\(destination.namespace).svc.cluster.local"
        return [
            ("reporter", "destination"), ("source_workload", "istio-ingressgateway"), ("source_workload_namespace", "istio-system"),
            ("destination_workload", destination.workload), ("destination_workload_namespace", destination.namespace),
            ("destination_service", service), ("destination_service_name", destination.serviceName),
            ("destination_service_namespace", destination.namespace), ("request_protocol", "http"),
            ("connection_security_policy", "mutual_tls"),
        ].map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + (destination.revision.map { ",controller_revision_hash=\"\($0)\"" } ?? "")
    }

    func format(_ value: Double) -> String { TrafficHistogram.format(value) }
}
