import KubeCore
import Synchronization

/// The resourceVersion of Serin's last write to each StatefulSet, so that a reconcile never writes from a cache
/// that has not seen it yet: the same partition would be written twice, and a step's write must be written once.
final class StatefulSetWrites: Sendable {
    private let versions = Mutex<[String: Int64]>([:])

    static func key(_ object: JSONValue) -> String {
        "\(object[path: "metadata", "namespace"]?.stringValue ?? "")/\(object[path: "metadata", "name"]?.stringValue ?? "")"
    }

    /// Records the object a write returned.
    func record(_ written: JSONValue) {
        guard let version = written[path: "metadata", "resourceVersion"]?.stringValue.flatMap(Int64.init) else { return }
        versions.withLock { $0[StatefulSetWrites.key(written), default: 0] = max($0[StatefulSetWrites.key(written)] ?? 0, version) }
    }

    /// Whether the cached object is older than the last write: decide again once the cache has caught up.
    func isBehind(_ cached: JSONValue) -> Bool {
        guard let cachedVersion = cached[path: "metadata", "resourceVersion"]?.stringValue.flatMap(Int64.init) else { return false }
        return versions.withLock { ($0[StatefulSetWrites.key(cached)] ?? 0) > cachedVersion }
    }
}
