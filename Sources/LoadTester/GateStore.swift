import Synchronization

/// Manual gates per canary, closed until opened (in memory, as Flagger's: lost on restart).
final class GateStore: Sendable {
    private let open = Mutex<Set<String>>([])

    func isOpen(_ key: String) -> Bool { open.withLock { $0.contains(key) } }

    func set(_ key: String, open isOpen: Bool) {
        open.withLock { gates in
            if isOpen { gates.insert(key) } else { gates.remove(key) }
        }
    }
}
