import Synchronization

/// Manual gates per canary, closed until opened (in memory, as Flagger's: lost on restart).
final class GateStore: Sendable {
    private let open = Mutex<Set<String>>([])

    func isOpen(_ key: String) -> Bool { open.withLock { $0.contains(key) } }

    /// How many gates are open, by kind: `rollback` for rollback gates, `gate` for the others.
    var openCounts: [String: Int] {
        open.withLock { gates in gates.reduce(into: [:]) { $0[$1.hasPrefix("rollback.") ? "rollback" : "gate", default: 0] += 1 } }
    }

    func set(_ key: String, open isOpen: Bool) {
        open.withLock { gates in
            if isOpen { gates.insert(key) } else { gates.remove(key) }
        }
    }
}
