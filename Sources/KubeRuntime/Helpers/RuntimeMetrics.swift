import KubeCore
import CoreMetrics
import Metrics

/// The runtime's own metrics: watch restarts, reconcile outcomes and durations, dropped events.
///
/// Every component takes one (default ``shared``, on the global metrics system) so tests can pass a
/// factory of their own.
public struct RuntimeMetrics: Sendable {
    public static let shared = RuntimeMetrics()

    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) { self.factory = factory }

    func watchRestart(resource: String, reason: String) {
        Counter(label: "serin_watch_restarts_total", dimensions: [("resource", resource), ("reason", reason)], factory: factory).increment()
    }

    func reconciled(controller: String, outcome: String, duration: Duration) {
        Counter(label: "serin_reconcile_total", dimensions: [("controller", controller), ("outcome", outcome)], factory: factory).increment()
        Metrics.Timer(label: "serin_reconcile_duration_seconds", dimensions: [("controller", controller)], factory: factory)
            .recordNanoseconds(duration.clampedNanoseconds)
    }

    /// The watch event of a reconcile's own write, not reconciled again (``OwnWrites``).
    func skippedEcho(controller: String) {
        Counter(label: "serin_reconcile_echoes_skipped_total", dimensions: [("controller", controller)], factory: factory).increment()
    }

    /// A related object's status change that waited for a quiet key's scheduled time (``StatusChanges``).
    func skippedStatusChange(controller: String) {
        Counter(label: "serin_reconcile_status_changes_waited_total", dimensions: [("controller", controller)], factory: factory).increment()
    }

    func objectSkipped(resource: String) {
        Counter(label: "serin_objects_skipped_total", dimensions: [("resource", resource)], factory: factory).increment()
    }

    func eventDropped(reason: String) {
        Counter(label: "serin_events_dropped_total", dimensions: [("reason", reason)], factory: factory).increment()
    }
}
