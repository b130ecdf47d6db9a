import KubeCore
import CanaryAPI
import CanaryCore
import Foundation
import KubeRuntime
import Prometheus
import Synchronization

/// Flagger's operator metrics (`flagger_*`, the same names and labels, so existing dashboards and alerts
/// work), Serin's own (`serin_*`, through swift-metrics on the same registry) and the process's memory,
/// exposed on `/metrics`.
///
/// As in Flagger, the `name` label is the target's name (`spec.targetRef.name`), not the Canary's.
public final class OperatorMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Canaries per namespace, read at scrape time (from the cache) rather than on every reconcile.
    let canaryCounts: @Sendable () -> [String: Int]
    /// Canaries held before their analysis, by reason (``CanaryStateMachine/holdReasons``), read at scrape time.
    let heldCounts: @Sendable () -> [String: Int]
    /// The gauges with a label set per Canary.
    let perCanary = MetricFamilies()
    /// Namespaces reported so far, so that one whose last Canary went away reads 0.
    private let reportedNamespaces = Mutex<Set<String>>([])
    /// The rollout policies' slots (`--rollout-policies`), read at each scrape.
    private let policySlots = Mutex<(@Sendable () -> [RolloutPolicy])?>(nil)
    private let cacheCounts = Mutex<(@Sendable () -> [String: (objects: Int, bytes: Int)])?>(nil)

    /// Flagger's default histogram buckets, in seconds.
    static let buckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { .milliseconds(Int64($0 * 1000)) }

    public init(
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), version: String, meshProvider: String,
        canaryCounts: @escaping @Sendable () -> [String: Int] = { [:] }, heldCounts: @escaping @Sendable () -> [String: Int] = { [:] }
    ) {
        self.registry = registry
        self.canaryCounts = canaryCounts
        self.heldCounts = heldCounts
        registry.makeGauge(
            descriptor: Self.descriptor("flagger_info", "Flagger (Serin) version and mesh provider"),
            labels: [("version", version), ("mesh_provider", meshProvider)]
        ).set(Double(1))
    }

    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, helpText: help)
    }

    /// `flagger_canary_total` per namespace, from the counts now.
    private func refreshCanaryTotals() {
        let counts = canaryCounts()
        let namespaces = reportedNamespaces.withLock { reported in
            reported.formUnion(counts.keys)
            return reported
        }
        for namespace in namespaces {
            registry.makeGauge(
                descriptor: Self.descriptor("flagger_canary_total", "Total number of canary objects"),
                labels: [("namespace", namespace)]
            ).set(Double(counts[namespace] ?? 0))
        }
    }

    /// The status and weights of a Canary after a reconcile.
    func record(_ canary: Canary, status: CanaryStatus) {
        let target = canary.targetName
        let namespace = canary.namespace
        let value: Double =
            switch status.phase {
            case .progressing: 0;
            case .failed: 2;
            default: 1
            }
        perCanary.set(
            "flagger_canary_status", help: "Last canary analysis result: 0 progressing, 1 other, 2 failed",
            labels: [("name", target), ("namespace", namespace)], value)
        let weight = Double(status.canaryWeight ?? 0)
        let weights = "The virtual service destination weight current value"
        perCanary.set("flagger_canary_weight", help: weights, labels: [("workload", "\(target)-primary"), ("namespace", namespace)], 100 - weight)
        perCanary.set("flagger_canary_weight", help: weights, labels: [("workload", target), ("namespace", namespace)], weight)
    }

    /// One analysis step: its duration and the value of each metric.
    func analysis(_ canary: Canary, values: [String: Double], duration: Duration) {
        let labels = [("name", canary.targetName), ("namespace", canary.namespace)]
        perCanary.observe(
            "flagger_canary_duration_seconds", help: "Seconds spent performing canary analysis", labels: labels, buckets: Self.buckets, duration)
        for (metric, value) in values {
            perCanary.set(
                "flagger_canary_metric_analysis", help: "Last canary analysis result per metric", labels: labels + [("metric", metric)], value)
        }
    }

    /// A rollout ended: promoted (or skipped) counts as a success, a rollback or failed promotion as a failure.
    func finished(_ canary: Canary, phase: CanaryPhase) {
        let labels = [
            ("name", canary.targetName), ("namespace", canary.namespace), ("deployment_strategy", "canary"),
            ("analysis_status", canary.skipsAnalysis ? "skipped" : "completed"),
        ]
        switch phase {
        case .succeeded:
            perCanary.increment("flagger_canary_successes_total", help: "Total number of canary successful deployments", labels: labels)
        case .failed:
            perCanary.increment("flagger_canary_failures_total", help: "Total number of canary failed deployments", labels: labels)
        default: break
        }
    }

    /// One alert's fate at one provider (`ns/name` of an AlertProvider, or the global flag's provider type):
    /// `sent`, `failed` (after its retries) or `dropped` (its lane was full).
    public func alert(provider: String, result: String) {
        registry.makeCounter(
            descriptor: Self.descriptor("serin_alerts_total", "Alerts by provider and result: sent, failed, dropped"),
            labels: [("provider", provider), ("result", result)]
        ).increment()
    }

    /// Exports the slots of the rollout policies `source` lists at each scrape.
    func follow(policies source: @escaping @Sendable () -> [RolloutPolicy]) { policySlots.withLock { $0 = source } }

    /// Exports `serin_cached_objects{resource}` and `serin_cached_bytes{resource}` from `source` (objects per
    /// cached resource, and the bytes they are held in).
    func follow(caches source: @escaping @Sendable () -> [String: (objects: Int, bytes: Int)]) { cacheCounts.withLock { $0 = source } }

    private func refreshCacheCounts() {
        guard let source = cacheCounts.withLock({ $0 }) else { return }
        for (resource, count) in source() {
            registry.makeGauge(
                descriptor: Self.descriptor("serin_cached_objects", "Objects in the operator's cache, by resource"), labels: [("resource", resource)]
            ).set(Double(count.objects))
            registry.makeGauge(
                descriptor: Self.descriptor("serin_cached_bytes", "Bytes the operator's cache holds its objects in (encoded), by resource"),
                labels: [("resource", resource)]
            ).set(Double(count.bytes))
        }
    }

    /// `serin_rollout_slots`, `serin_rollout_slots_in_use` and `serin_rollout_slots_waiting` per policy.
    private func refreshPolicySlots() {
        guard let source = policySlots.withLock({ $0 }) else { return }
        for policy in source() {
            let labels = [("policy", policy.metadata.name ?? "")]
            var gauges = [
                ("serin_rollout_slots_in_use", "Canaries analysing under a policy", policy.status?.holders?.count ?? 0),
                ("serin_rollout_slots_waiting", "Canaries waiting for a slot of a policy", policy.status?.queue?.count ?? 0),
            ]
            if let budget = policy.spec.maxProgressing { gauges.append(("serin_rollout_slots", "Rollouts a policy lets analyse at once", budget)) }
            for (name, help, value) in gauges {
                registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels).set(Double(value))
            }
        }
    }

    /// `serin_canaries_held{reason}`: the Canaries a rollout slot, a freeze window, a stopped line or their
    /// dependencies hold before their analysis; every reason, so that one no longer holding any reads 0.
    private func refreshHeld() {
        let counts = heldCounts()
        for reason in CanaryStateMachine.holdReasons {
            registry.makeGauge(
                descriptor: Self.descriptor("serin_canaries_held", "Canaries held before their analysis, by reason"),
                labels: [("reason", reason)]
            ).set(Double(counts[reason] ?? 0))
        }
    }

    /// The exposition text, with the Canary counts and the process's resident memory refreshed.
    public func exposition() -> String {
        refreshCanaryTotals()
        refreshHeld()
        refreshPolicySlots()
        refreshCacheCounts()
        registry.makeGauge(descriptor: Self.descriptor("process_resident_memory_bytes", "Resident memory size in bytes"))
            .set(Double(ProcessStats.residentMemory() ?? 0))
        return registry.emitToString() + perCanary.exposition()
    }
}
