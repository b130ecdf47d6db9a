import KubeClient
import KubeCore
import CoreMetrics
import Metrics

/// The runtime's own metrics: watch restarts, reconcile outcomes and durations, dropped events.
///
/// Every component takes one (default ``shared``, on the global metrics system) so tests can pass a
/// factory of their own.
public struct RuntimeMetrics: Sendable {
    public static let shared = RuntimeMetrics()

    let instruments: InstrumentCache

    public init(factory: any MetricsFactory = MetricsSystem.factory) { instruments = InstrumentCache(factory: factory) }

    func watchRestart(resource: String, reason: String) {
        instruments.counter("serin_watch_restarts_total", [("resource", resource), ("reason", reason)]).increment()
    }

    func reconciled(controller: String, outcome: String, duration: Duration) {
        instruments.counter("serin_reconcile_total", [("controller", controller), ("outcome", outcome)]).increment()
        instruments.timer("serin_reconcile_duration_seconds", [("controller", controller)])
            .recordNanoseconds(duration.clampedNanoseconds)
    }

    /// The watch event of a reconcile's own write, not reconciled again (``OwnWrites``).
    func skippedEcho(controller: String) {
        instruments.counter("serin_reconcile_echoes_skipped_total", [("controller", controller)]).increment()
    }

    /// A related object's status change that waited for a quiet key's scheduled time (``StatusChanges``).
    func skippedStatusChange(controller: String) {
        instruments.counter("serin_reconcile_status_changes_waited_total", [("controller", controller)]).increment()
    }

    func objectSkipped(resource: String) {
        instruments.counter("serin_objects_skipped_total", [("resource", resource)]).increment()
    }

    func eventDropped(reason: String) {
        instruments.counter("serin_events_dropped_total", [("reason", reason)]).increment()
    }
}
