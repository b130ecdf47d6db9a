import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps an ``ObjectCache`` in step with the API server through a ``Watcher``, and tells subscribers what
/// changed. Run it as a `Service` (before leader election, so a standby's caches are warm).
public final class Reflector<Object: KubeObject>: Service, Sendable {
    public let cache: ObjectCache<Object>
    let watcher: Watcher<Object>
    private let subscribers = Mutex<[Int: AsyncStream<CacheChange<Object>>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    public init(
        client: KubeClient, resource: KubeResource, namespace: String? = nil, config: WatcherConfig = WatcherConfig(),
        indexes: [CacheIndex<Object>] = [], logger: Logger = Logger(label: "serin.reflector"), metrics: RuntimeMetrics = .shared
    ) {
        cache = ObjectCache(indexes: indexes)
        watcher = Watcher(client.resource(resource, as: Object.self), namespace: namespace, config: config, logger: logger, metrics: metrics)
    }

    /// Follows the watcher until cancelled (or graceful shutdown).
    public func run() async throws {
        await withGracefulShutdownHandler {
            for await event in watcher.cancelOnGracefulShutdown() {
                let changes = cache.apply(event)
                guard !changes.isEmpty else { continue }
                let current = subscribers.withLock { Array($0.values) }
                for subscriber in current { for change in changes { subscriber.yield(change) } }
            }
        } onGracefulShutdown: {}
        subscribers.withLock { subscribers in
            for subscriber in subscribers.values { subscriber.finish() }
            subscribers.removeAll()
        }
    }

    /// A stream of every change from now on (unbounded: a subscriber must keep up).
    public func subscribe() -> AsyncStream<CacheChange<Object>> {
        let (stream, continuation) = AsyncStream.makeStream(of: CacheChange<Object>.self)
        let id = nextID.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        return stream
    }
}
