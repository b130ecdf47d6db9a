import DequeModule
import KubeClient
import KubeCore
import Logging

/// Lists then watches one resource, forever, as an `AsyncSequence` of ``WatcherEvent``s.
///
/// ## Recovery
/// - A watch the server ends (timeout, dropped connection) resumes from the last resourceVersion seen
///   (objects or bookmarks), without a relist and without losing or repeating events.
/// - `410 Gone` (the resourceVersion is too old) starts a new list: ``WatcherEvent/initStarted`` … ``WatcherEvent/initDone``.
/// - Any other error waits an exponential back-off (capped, reset after a success) and retries the failed
///   step. The watcher never gives up; every restart is logged at `warning` and counted in
///   `serin_watch_restarts_total{resource,reason}`.
///
/// The sequence ends only when the iterating task is cancelled.
public struct Watcher<Object: Codable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = WatcherEvent<Object>

    let resource: ResourceClient<Object>
    let namespace: String?
    let config: WatcherConfig
    let logger: Logger
    let metrics: RuntimeMetrics
    let sleep: @Sendable (Duration) async throws -> Void

    public init(
        _ resource: ResourceClient<Object>, namespace: String? = nil, config: WatcherConfig = WatcherConfig(),
        logger: Logger = Logger(label: "serin.watcher"), metrics: RuntimeMetrics = .shared,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.resource = resource
        self.namespace = namespace
        self.config = config
        var logger = logger
        logger[metadataKey: "resource"] = "\(resource.resource)"
        self.logger = logger
        self.metrics = metrics
        self.sleep = sleep
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(watcher: self, backoff: config.backoff)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let watcher: Watcher
        var state: State = .empty
        var backoff: Backoff
        var pending: Deque<WatcherEvent<Object>> = []

        init(watcher: Watcher, backoff: Backoff) {
            self.watcher = watcher
            self.backoff = backoff
        }

        public mutating func next() async -> WatcherEvent<Object>? {
            while pending.isEmpty {
                if Task.isCancelled { return nil }
                await step()
            }
            return pending.popFirst()
        }
    }

    /// Where the watcher is.
    enum State {
        /// Nothing listed yet, or a relist is needed.
        case empty
        /// A paged list is in progress.
        case listing(continueToken: String)
        /// Listed (or watched) up to a resourceVersion; a watch starts from there.
        case listed(resourceVersion: String)
        /// A watch is streaming.
        case watching(resourceVersion: String, events: WatchStream<Object>.Iterator)
    }
}
