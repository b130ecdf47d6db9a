import KubeRuntime
import Synchronization

/// What `/readyz` reports: ready once the caches are synced, whether this replica leads or stands by.
public final class OperatorHealth: Sendable {
    public enum Role: String, Sendable {
        /// Leader election is off: this replica works alone.
        case single
        /// Waiting for the lease, caches warm.
        case standby
        case leading
        /// One of several replicas sharing the Canaries by shard (`--shard N/M`).
        case sharded
    }

    private let state = Mutex<(synced: Bool, role: Role?)>((false, nil))
    /// The objects the caches skipped (`canaries demo/x: nesting deeper than 512 levels`): ready, but said.
    private let skipped: @Sendable () -> [String]

    private let shards: ShardedLeadership?

    public init(shards: ShardedLeadership? = nil, skipped: @escaping @Sendable () -> [String] = { [] }) {
        self.shards = shards
        self.skipped = skipped
    }

    public var isReady: Bool { state.withLock { $0.synced && $0.role != nil } }

    public var role: Role? { state.withLock { $0.role } }

    func synced() { state.withLock { $0.synced = true } }

    func set(_ role: Role) { state.withLock { $0.role = role } }

    /// The `/readyz` body.
    var summary: String {
        var base = state.withLock { "caches \($0.synced ? "synced" : "syncing"), \($0.role?.rawValue ?? "not started")" }
        if let shards, role == .sharded {
            let held = shards.heldShards
            base +=
                held.isEmpty
                ? ", standing by for every shard of \(shards.assignment.count)"
                : ", leading shard\(held.count == 1 ? "" : "s") \(held.map(String.init).joined(separator: ",")) of \(shards.assignment.count)"
        }
        let skipped = skipped()
        guard !skipped.isEmpty else { return base }
        let shown = skipped.prefix(10).joined(separator: "; ")
        return "\(base); \(skipped.count) object(s) skipped because they cannot be read: \(shown)\(skipped.count > 10 ? "; …" : "")"
    }
}
