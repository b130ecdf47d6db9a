import KubeRuntime
import Synchronization

/// The resourceVersion of each Canary's last status write, so a reconcile never decides from a cache that
/// has not yet seen that write (which would repeat the step's events and timing).
final class WrittenVersions: Sendable {
    private let versions = Mutex<[ObjectKey: Int64]>([:])

    func record(_ key: ObjectKey, resourceVersion: String?) {
        guard let version = resourceVersion.flatMap(Int64.init) else { return }
        versions.withLock { $0[key] = max($0[key] ?? 0, version) }
    }

    /// How many Canaries have a version kept.
    var count: Int { versions.withLock { $0.count } }

    /// Drops what was kept for a Canary that is gone.
    func forget(_ key: ObjectKey) { _ = versions.withLock { $0.removeValue(forKey: key) } }

    /// Whether the cached object is older than our last write.
    func isStale(_ key: ObjectKey, cachedVersion: String?) -> Bool {
        guard let written = versions.withLock({ $0[key] }), let cached = cachedVersion.flatMap(Int64.init) else { return false }
        return cached < written
    }
}
