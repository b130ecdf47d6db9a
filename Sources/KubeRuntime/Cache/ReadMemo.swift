import Synchronization

/// The objects one reconcile has decoded from encoded caches, so that reading the same unchanged object
/// again (a router and a target both reading the primary, a builder and a step reading a VirtualService)
/// returns the decoded value instead of parsing its JSON again.
///
/// ## Guarantees
/// - An entry is used only while the cache still holds the very version it was decoded from: each change
///   the cache applies gives the object a new stamp, so a read after a watch event decodes afresh.
/// - It lives as long as one reconcile (the controller binds ``current`` around each and calls ``end()``
///   after it), so it holds at most the handful of objects that reconcile reads, and none outlive it.
///
/// ## Caveats
/// Outside a reconcile (`current` is `nil`) reads decode every time, as without it.
public final class ReadMemo: Sendable {
    /// The memo of the running reconcile; `nil` outside one.
    @TaskLocal public static var current: ReadMemo?

    struct Entry: Hashable {
        let cache: ObjectIdentifier
        let key: ObjectKey
    }

    /// The decoded objects; `nil` once the reconcile ended.
    private let entries = Mutex<[Entry: (stamp: UInt64, object: any Sendable)]?>([:])

    public init() {}

    /// The object decoded from `cache`'s entry `key` at `stamp`, decoding it with `decode` the first time.
    func object<Object: Sendable>(cache: ObjectIdentifier, key: ObjectKey, stamp: UInt64, decode: () -> Object?) -> Object? {
        let entry = Entry(cache: cache, key: key)
        if let hit = entries.withLock({ $0?[entry] }), hit.stamp == stamp, let object = hit.object as? Object { return object }
        guard let object = decode() else { return nil }
        entries.withLock { $0?[entry] = (stamp, object) }
        return object
    }

    /// Drops the decoded objects and keeps no more: the reconcile ended. A task it started (a queue's
    /// timer, an Event written later) inherits ``current`` and may outlive it by minutes; without this it
    /// would keep every object the reconcile read alive with it.
    public func end() { entries.withLock { $0 = nil } }
}
