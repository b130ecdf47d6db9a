import Synchronization

/// What `/readyz` reports: ready once the caches are synced, whether this replica leads or stands by.
public final class OperatorHealth: Sendable {
    public enum Role: String, Sendable {
        /// Leader election is off: this replica works alone.
        case single
        /// Waiting for the lease, caches warm.
        case standby
        case leading
    }

    private let state = Mutex<(synced: Bool, role: Role?)>((false, nil))
    /// The objects the caches skipped (`canaries demo/x: nesting deeper than 512 levels`): ready, but said.
    private let skipped: @Sendable () -> [String]

    public init(skipped: @escaping @Sendable () -> [String] = { [] }) { self.skipped = skipped }

    public var isReady: Bool { state.withLock { $0.synced && $0.role != nil } }

    public var role: Role? { state.withLock { $0.role } }

    func synced() { state.withLock { $0.synced = true } }

    func set(_ role: Role) { state.withLock { $0.role = role } }

    /// The `/readyz` body.
    var summary: String {
        let base = state.withLock { "caches \($0.synced ? "synced" : "syncing"), \($0.role?.rawValue ?? "not started")" }
        let skipped = skipped()
        guard !skipped.isEmpty else { return base }
        let shown = skipped.prefix(10).joined(separator: "; ")
        return "\(base); \(skipped.count) object(s) skipped because they cannot be read: \(shown)\(skipped.count > 10 ? "; …" : "")"
    }
}
