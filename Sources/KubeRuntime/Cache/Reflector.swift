import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps an ``ObjectCache`` in step with the API server through a ``Watcher``, and tells subscribers what
/// changed. Run it as a `Service` (before leader election, so a standby's caches are warm).
public final class Reflector<Object: KubeObject>: Service, Sendable {
    public let cache: ObjectCache<Object>
    /// The resource it follows.
    public let resource: KubeResource
    /// The resource's plural name (`canaries`), for logs and status texts.
    public var resourceName: String { resource.plural }
    let watcher: Watcher<Object>
    private let subscribers = Mutex<[Int: Subscriber]>([:])

    /// A subscription: what a change is turned into before it is buffered, and where it goes.
    struct Subscriber: Sendable {
        let yield: @Sendable (CacheChange<Object>) -> Void
        let finish: @Sendable () -> Void
    }
    private let nextID = Atomic<Int>(0)
    private let onSkip: (@Sendable (SkippedObject) -> Void)?
    private let transform: (@Sendable (Object) -> Object)?
    private let admits: (@Sendable (Object) -> Bool)?
    let relists = RelistRequests()

    /// - Parameters:
    ///   - transform: applied to every object before it is cached (and before subscribers see it), as
    ///     client-go's transform functions: drop what nothing reads (``CacheTransform``).
    ///   - encoding: hold the cached objects encoded (``ObjectCache``).
    ///   - onSkip: called for every object that cannot be decoded (listed, added or changed), so that the
    ///     operator can say so on the object itself; the cache names it in ``ObjectCache/skipped``.
    ///   - admits: which objects the cache holds (after `transform`): one it does not admit is left out of
    ///     a list, and a change to it reads as its deletion. When what it admits changes, ``relist()``.
    public init(
        client: KubeClient, resource: KubeResource, namespace: String? = nil, config: WatcherConfig = WatcherConfig(),
        indexes: [CacheIndex<Object>] = [], logger: Logger = Logger(label: "serin.reflector"), metrics: RuntimeMetrics = .shared,
        transform: (@Sendable (Object) -> Object)? = nil, encoding: CacheEncoding<Object>? = nil,
        admits: (@Sendable (Object) -> Bool)? = nil, onSkip: (@Sendable (SkippedObject) -> Void)? = nil
    ) {
        self.onSkip = onSkip
        self.transform = transform
        self.admits = admits
        self.resource = resource
        cache = ObjectCache(indexes: indexes, encoding: encoding)
        watcher = Watcher(client.resource(resource, as: Object.self), namespace: namespace, config: config, logger: logger, metrics: metrics)
    }

    /// Follows the watcher until cancelled (or graceful shutdown); lists afresh on ``relist()``.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled {
                let requested = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await self.follow() }
                    group.addTask { await self.relists.next() }
                    let requested = await group.next() ?? false
                    group.cancelAll()
                    return requested
                }
                guard requested else { break }
            }
        } onGracefulShutdown: {
            self.relists.shutDown()
        }
        // Finish outside the lock: `finish()` runs `onTermination` synchronously, which takes the lock too.
        let ended = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for subscriber in ended { subscriber.finish() }
        relists.shutDown()
    }

    /// Lists the resource afresh (what ``init(client:resource:namespace:config:indexes:logger:metrics:transform:encoding:admits:onSkip:)``'s
    /// `admits` lets in has changed) and returns once the new list is in the cache, or the reflector stopped.
    public func relist() async { await relists.request() }

    /// Applies the watcher's events until cancelled; `false` when it ended (shutdown or cancellation).
    ///
    /// A graceful shutdown ends it through ``run()``, which cancels it: the watcher is iterated here, in
    /// this task, so that its events are parsed on the executor the reflector runs on (`cancelOnGracefulShutdown()`
    /// would iterate it in an unstructured task of the global executor, a thread hop per event).
    private func follow() async -> Bool {
        for await received in watcher {
            if case .skipped(let skip, deleted: false) = received { onSkip?(skip) }
            let event = admitted(transform.map { received.map($0) } ?? received)
            // Applying and taking the list of subscribers under one lock makes `subscribe(includeCurrent:)`
            // atomic: a new subscriber is either in the list (it gets the change) or subscribed after the
            // change was applied (its snapshot contains it), never both. The changes are yielded outside
            // the lock: yielding resumes a consumer, which takes that task's status lock, while cancelling
            // a consumer holds its status lock and runs `onTermination`, which takes ours — yielding under
            // the lock deadlocked an operator cancelled while events flowed.
            guard let event else { continue }
            let (changes, targets) = subscribers.withLock { subscribers in (cache.apply(event), Array(subscribers.values)) }
            for subscriber in targets { for change in changes { subscriber.yield(change) } }
            if case .initDone = event { relists.listed() }
        }
        return false
    }

    /// The event as the cache takes it: an object it does not admit is left out of a list, and its change
    /// is its deletion (a no-op when it is not cached).
    private func admitted(_ event: WatcherEvent<Object>) -> WatcherEvent<Object>? {
        guard let admits else { return event }
        switch event {
        case .initApply(let object): return admits(object) ? event : nil
        case .apply(let object): return admits(object) ? event : .delete(object)
        default: return event
        }
    }

    /// A stream of every change from now on (unbounded: a subscriber must keep up).
    ///
    /// - Parameter includeCurrent: start with an `applied` change for every object cached now, taken
    ///   atomically with the subscription, so each object is seen exactly once either way.
    public func subscribe(includeCurrent: Bool = false) -> AsyncStream<CacheChange<Object>> {
        subscribe(mapping: { $0 }, snapshot: includeCurrent, yieldingSnapshot: true).changes
    }

    /// The objects cached now and a stream of every change after them, taken atomically: each object is
    /// in the snapshot or in a change, never lost between the two. Before the first list, the snapshot is
    /// empty and the list's objects come as changes.
    ///
    /// - Parameter mapping: turns each change into what the stream buffers, in the reflector's task: a
    ///   subscriber that needs only keys buffers keys, not objects, however far behind it falls.
    public func subscribeWithSnapshot<Mapped: Sendable>(
        mapping: @escaping @Sendable (CacheChange<Object>) -> Mapped
    )
        -> (current: [Object], changes: AsyncStream<Mapped>)
    {
        subscribe(mapping: mapping, snapshot: true, yieldingSnapshot: false)
    }

    /// A stream of every change from now on, each turned by `mapping` before it is buffered.
    public func subscribe<Mapped: Sendable>(mapping: @escaping @Sendable (CacheChange<Object>) -> Mapped) -> AsyncStream<Mapped> {
        subscribe(mapping: mapping, snapshot: false, yieldingSnapshot: false).changes
    }

    /// - Parameters:
    ///   - snapshot: take the objects cached now (under the same lock as the subscription);
    ///   - yieldingSnapshot: and yield them first, as `applied` changes.
    private func subscribe<Mapped: Sendable>(
        mapping: @escaping @Sendable (CacheChange<Object>) -> Mapped, snapshot: Bool, yieldingSnapshot: Bool
    ) -> (current: [Object], changes: AsyncStream<Mapped>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Mapped.self)
        let id = nextID.add(1, ordering: .relaxed).newValue
        let subscriber = Subscriber(yield: { continuation.yield(mapping($0)) }, finish: { continuation.finish() })
        let current = subscribers.withLock { subscribers in
            let current = snapshot ? cache.list() : []
            if yieldingSnapshot { for object in current { continuation.yield(mapping(.applied(object))) } }
            subscribers[id] = subscriber
            return current
        }
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        return (current, stream)
    }
}
