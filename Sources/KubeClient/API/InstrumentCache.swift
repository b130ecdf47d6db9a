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
        Self.instrument(Key(label, dimensions), in: counters) { Counter(label: label, dimensions: dimensions, factory: factory) }
    }

    /// The timer of `label` with these dimensions.
    public func timer(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Timer {
        Self.instrument(Key(label, dimensions), in: timers) { Metrics.Timer(label: label, dimensions: dimensions, factory: factory) }
    }

    /// The instrument kept under `key`, made outside the lock the first time (the first one kept wins a race).
    private static func instrument<Instrument: Sendable>(
        _ key: Key, in store: borrowing Mutex<[Key: Instrument]>, make: () -> Instrument
    ) -> Instrument {
        if let kept = store.withLock({ $0[key] }) { return kept }
        let made = make()
        return store.withLock { instruments in
            if let kept = instruments[key] { return kept }
            instruments[key] = made
            return made
        }
    }
}
