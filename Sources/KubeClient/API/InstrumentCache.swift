import CoreMetrics
import Metrics
import Synchronization

/// Counters and timers made once per label and dimensions, then reused.
///
/// Making an instrument through a factory is not cheap (Prometheus's validates the name and labels, takes
/// its registry's lock and looks the family up): a few thousand instructions, paid several times per API
/// request and reconcile when instruments were made at each use. The dimensions' values must come from a
/// small set (verbs, codes, controllers), as any metric's must.
public final class InstrumentCache: Sendable {
    struct Key: Hashable {
        var label: String
        /// Names and values in turn.
        var dimensions: [String]

        init(_ label: String, _ dimensions: [(String, String)]) {
            self.label = label
            self.dimensions = dimensions.flatMap { [$0.0, $0.1] }
        }
    }

    let factory: any MetricsFactory
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Metrics.Timer]>([:])

    /// - Parameter factory: where instruments are made, on first use of each label and dimensions.
    public init(factory: any MetricsFactory) { self.factory = factory }

    /// The counter of `label` with these dimensions.
    public func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = Key(label, dimensions)
        if let counter = counters.withLock({ $0[key] }) { return counter }
        let counter = Counter(label: label, dimensions: dimensions, factory: factory)
        return counters.withLock { counters in
            if let existing = counters[key] { return existing }
            counters[key] = counter
            return counter
        }
    }

    /// The timer of `label` with these dimensions.
    public func timer(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Timer {
        let key = Key(label, dimensions)
        if let timer = timers.withLock({ $0[key] }) { return timer }
        let timer = Metrics.Timer(label: label, dimensions: dimensions, factory: factory)
        return timers.withLock { timers in
            if let existing = timers[key] { return existing }
            timers[key] = timer
            return timer
        }
    }
}
