import KubeCore
import Synchronization

/// A read-optimised, thread-safe store of the objects of one resource, fed by a ``Reflector``.
///
/// ## Guarantees
/// - Reads are synchronous and never see a half-applied relist: a relist is buffered and swapped in at
///   once (``WatcherEvent/initDone``).
/// - Secondary indexes (``CacheIndex``) are kept in step with every change.
/// - ``waitUntilSynced()`` returns once the first list has been swapped in.
/// - An object that cannot be decoded is not cached (any older state of it is dropped, as if deleted) and
///   is named in ``skipped`` until it changes into something readable or is deleted.
/// - With a ``CacheEncoding``, objects are held encoded and decoded on each read (a seventh of the memory
///   of decoded JSON); reads return the same values either way. Inside a reconcile, ``ReadMemo`` decodes
///   each version of an object once however often it is read.
///
/// ## Caveats
/// A cache is eventually consistent: it lags the API server by the watch latency. Reads return copies
/// (values); mutate through the API, never the cache. An encoded cache pays a decode per object read, so
/// it suits kinds read by key; listing it on every change of another kind decodes it all each time.
public final class ObjectCache<Object: KubeObject>: Sendable {
    struct State {
        var objects: [ObjectKey: CachedObject<Object>] = [:]
        var index: [String: [String: Set<ObjectKey>]] = [:]
        /// Each object's entries in `index`, so a change or delete unindexes without decoding the old object.
        var indexed: [ObjectKey: [IndexEntry]] = [:]
        var buffer: [ObjectKey: Object]?
        /// Objects that could not be decoded, by key (and those of the list being buffered).
        var skipped: [ObjectKey: SkippedObject] = [:]
        var bufferSkipped: [ObjectKey: SkippedObject] = [:]
        var synced = false
        /// The stamp of the next object stored encoded (``ReadMemo`` tells versions apart by it).
        var nextStamp: UInt64 = 0
        /// The encoded objects' bytes, summed (``encodedBytes``).
        var encodedBytes = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let indexes: [CacheIndex<Object>]
    private let encoding: CacheEncoding<Object>?

    /// - Parameter encoding: hold objects encoded (``CacheEncoding/json``) instead of decoded.
    public init(indexes: [CacheIndex<Object>] = [], encoding: CacheEncoding<Object>? = nil) {
        self.indexes = indexes
        self.encoding = encoding
    }

    /// One object.
    public func get(_ key: ObjectKey) -> Object? {
        guard let cached = state.withLock({ $0.objects[key] }) else { return nil }
        guard case .encoded(_, let stamp, _) = cached, let memo = ReadMemo.current else { return cached.object(encoding) }
        return memo.object(cache: ObjectIdentifier(self), key: key, stamp: stamp) { cached.object(encoding) }
    }

    /// One object by namespace and name.
    public func get(namespace: String?, name: String) -> Object? { get(ObjectKey(namespace: namespace, name: name)) }

    /// Every object, or every object of one namespace, sorted by key.
    public func list(namespace: String? = nil) -> [Object] {
        let cached = state.withLock { state in
            state.objects.filter { namespace == nil || $0.key.namespace == namespace }.sorted { $0.key < $1.key }.map(\.value)
        }
        return cached.compactMap { $0.object(encoding) }  // decoded outside the lock
    }

    /// The objects whose index `name` has `value`.
    public func byIndex(_ name: String, _ value: String) -> [Object] {
        let cached = state.withLock { state in
            (state.index[name]?[value] ?? []).sorted().compactMap { state.objects[$0] }
        }
        return cached.compactMap { $0.object(encoding) }
    }

    /// Whether an object of `key` is cached: it is not decoded.
    public func contains(_ key: ObjectKey) -> Bool { state.withLock { $0.objects[key] != nil } }

    /// The keys of every object, sorted: no object is decoded.
    public var keys: [ObjectKey] { state.withLock { $0.objects.keys.sorted() } }

    /// How many objects have each value of the index `name`: no object is decoded.
    public func counts(byIndex name: String) -> [String: Int] {
        state.withLock { state in (state.index[name] ?? [:]).compactMapValues { $0.isEmpty ? nil : $0.count } }
    }

    /// The keys of the objects whose index `name` has `value`, sorted: no object is decoded.
    public func keys(byIndex name: String, _ value: String) -> [ObjectKey] {
        state.withLock { state in (state.index[name]?[value] ?? []).sorted() }
    }

    /// How many objects are cached.
    public var count: Int { state.withLock { $0.objects.count } }

    /// The bytes of the objects held encoded (0 without a ``CacheEncoding``): the payloads alone, not the
    /// arrays' headers, keys or indexes.
    public var encodedBytes: Int { state.withLock { $0.encodedBytes } }

    /// The objects that could not be decoded, sorted by key.
    public var skipped: [SkippedObject] {
        state.withLock { state in state.skipped.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// Whether the first list has been swapped in.
    public var isSynced: Bool { state.withLock { $0.synced } }

    /// Waits until the first list has been swapped in.
    public func waitUntilSynced() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.synced { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Applies one watcher event and returns what changed.
    func apply(_ event: WatcherEvent<Object>) -> [CacheChange<Object>] {
        // A change is encoded and indexed before the lock: readers wait only for the swap.
        var prepared: (bytes: [UInt8]?, entries: [IndexEntry])?
        if case .apply(let object) = event { prepared = (encoding?.encode(object), entries(of: object)) }
        let (changes, waiters) = state.withLock { state -> ([CacheChange<Object>], [CheckedContinuation<Void, Never>]) in
            switch event {
            case .initStarted:
                state.buffer = [:]
                state.bufferSkipped = [:]
                return ([], [])
            case .initApply(let object):
                state.buffer?[ObjectKey(object)] = object
                return ([], [])
            case .initDone:
                let fresh = state.buffer ?? [:]
                let removed = state.objects.filter { fresh[$0.key] == nil }.compactMap { $0.value.object(encoding).map(CacheChange.deleted) }
                state.objects = fresh.mapValues { CachedObject($0, bytes: encoding?.encode($0), stamp: &state.nextStamp) }
                state.encodedBytes = state.objects.values.reduce(0) { $0 + $1.byteCount }
                state.buffer = nil
                state.skipped = state.bufferSkipped
                state.bufferSkipped = [:]
                state.index = [:]
                state.indexed = [:]
                for (key, object) in fresh { index(key, entries(of: object), in: &state) }
                state.synced = true
                let waiters = state.waiters
                state.waiters = []
                return (fresh.values.map { CacheChange.applied($0) } + removed, waiters)
            case .skipped(let skip, let deleted):
                let key = ObjectKey(namespace: skip.namespace, name: skip.name)
                if state.buffer != nil {
                    state.bufferSkipped[key] = skip
                    return ([], [])
                }
                state.skipped[key] = deleted ? nil : skip
                guard let removed = state.objects.removeValue(forKey: key) else { return ([], []) }
                state.encodedBytes -= removed.byteCount
                unindex(key, in: &state)
                return (removed.object(encoding).map { [.deleted($0)] } ?? [], [])
            case .apply(let object):
                let key = ObjectKey(object)
                state.skipped[key] = nil
                unindex(key, in: &state)
                let stored = CachedObject(object, bytes: prepared?.bytes, stamp: &state.nextStamp)
                let before = state.objects.updateValue(stored, forKey: key)
                state.encodedBytes += stored.byteCount - (before?.byteCount ?? 0)
                index(key, prepared?.entries ?? [], in: &state)
                let generation = object.generation
                if let generation, before?.generation == generation { return ([.appliedStatus(object)], []) }
                return ([.applied(object)], [])
            case .delete(let object):
                let key = ObjectKey(object)
                state.skipped[key] = nil
                guard let removed = state.objects.removeValue(forKey: key) else { return ([], []) }
                state.encodedBytes -= removed.byteCount
                unindex(key, in: &state)
                return ([.deleted(object)], [])
            }
        }
        for waiter in waiters { waiter.resume() }
        return changes
    }

    /// An object's value under one index.
    struct IndexEntry {
        var index: String
        var value: String
    }

    private func entries(of object: Object) -> [IndexEntry] {
        indexes.flatMap { indexer in indexer.values(object).map { IndexEntry(index: indexer.name, value: $0) } }
    }

    private func index(_ key: ObjectKey, _ entries: [IndexEntry], in state: inout State) {
        guard !entries.isEmpty else { return }
        for entry in entries { state.index[entry.index, default: [:]][entry.value, default: []].insert(key) }
        state.indexed[key] = entries
    }

    private func unindex(_ key: ObjectKey, in state: inout State) {
        for entry in state.indexed.removeValue(forKey: key) ?? [] {
            state.index[entry.index]?[entry.value]?.remove(key)
            if state.index[entry.index]?[entry.value]?.isEmpty == true { state.index[entry.index]?[entry.value] = nil }
        }
    }
}

/// A change a cache went through, for triggering reconciles.
public enum CacheChange<Object: Sendable>: Sendable {
    /// A new object, or a new version whose spec may have changed (its `metadata.generation` moved, or it
    /// has none).
    case applied(Object)
    /// A new version of a cached object with the same `metadata.generation`: its status or its metadata
    /// changed, not its spec.
    case appliedStatus(Object)
    case deleted(Object)

    public var object: Object {
        switch self {
        case .applied(let object), .appliedStatus(let object), .deleted(let object): return object
        }
    }
}
