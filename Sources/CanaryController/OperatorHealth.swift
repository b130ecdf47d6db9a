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

    public init() {}

    public var isReady: Bool { state.withLock { $0.synced && $0.role != nil } }

    public var role: Role? { state.withLock { $0.role } }

    func synced() { state.withLock { $0.synced = true } }

    func set(_ role: Role) { state.withLock { $0.role = role } }

    /// The `/readyz` body.
    var summary: String {
        state.withLock { "caches \($0.synced ? "synced" : "syncing"), \($0.role?.rawValue ?? "not started")" }
    }
}
