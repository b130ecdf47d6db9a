import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

/// The object an Event is about.
public struct EventObjectReference: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var uid: String?

    public init(apiVersion: String, kind: String, namespace: String?, name: String, uid: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// The reference of an object of `resource`.
    public init(_ object: some KubeObject, resource: KubeResource) {
        self.init(
            apiVersion: resource.apiVersion, kind: resource.kind, namespace: object.namespace, name: object.name ?? "",
            uid: object.uid)
    }
}

/// Writes core/v1 Events, as `kubectl describe` shows them.
///
/// ## Guarantees
/// - ``record(_:type:reason:message:)`` never blocks a reconcile: Events are written by ``run()`` in order.
/// - The same object, type, reason and message again increments `count` and `lastTimestamp` of the existing
///   Event instead of creating another (aggregation).
/// - Each object may have ``burst`` writes at once, then one per ``refill`` (a hot loop cannot flood the API);
///   what is dropped is counted in `serin_events_dropped_total` and logged at debug.
///
/// - Writes are retried on conflicts, server errors, rate limits and broken connections.
/// - ``recordOnce(_:type:reason:message:key:)`` writes at once under a name derived from what the Event
///   records: written again after a crash or a failed step, it is not duplicated.
///
/// ## Caveats
/// Aggregation state is in memory: after a restart the next occurrence creates a new Event. An Event queued
/// with ``record(_:type:reason:message:)`` and not yet written is lost if the process dies.
public final class EventRecorder: Service, Sendable {
    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    struct Pending: Sendable {
        var reference: EventObjectReference
        var type: EventType
        var reason: String
        var message: String
        var at: Date
        /// The reconcile it was recorded in, bound again when it is written (a shard's write fence).
        var scope: ObjectKey?
    }

    public let component: String
    public let burst: Int
    public let refill: Duration
    let events: ResourceClient<JSONValue>
    let logger: Logger
    let metrics: RuntimeMetrics
    let clock: OperatorClock

    /// The wall date now, on the recorder's clock.
    func now() -> Date { clock.date }
    /// Event writes are retried on conflicts, server errors and rate limits.
    let retry: RetryPolicy
    let stream: AsyncStream<Pending>
    let input: AsyncStream<Pending>.Continuation
    let state = Mutex(RecorderState())

    /// How long an Event is remembered for aggregation after it was last written, as client-go's ten minutes:
    /// the same Event again within it raises its count, after it (or after the API server's one-hour
    /// expiry) it is a new Event. Without a bound, every distinct message of every object stayed in memory.
    public static let aggregationWindow: Duration = .seconds(600)

    struct RecorderState {
        /// Each written Event by its key's ``AggregationKey/digest``: its name's stamp, its count, when last written.
        var written: [Int: (stamp: UInt64, count: Int, at: Date)] = [:]
        var tokens: [EventObjectReference: (tokens: Double, at: Date)] = [:]
        /// When `written` and `tokens` were last pruned.
        var pruned = Date.distantPast
        var queued = 0
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
    }

    struct AggregationKey: Hashable {
        var reference: EventObjectReference
        var type: EventType
        var reason: String
        var message: String

        /// The key in 64 bits, which is what is kept: the object's reference and the message took about
        /// 400 bytes per Event, 28 MB after one rollout of 10,000 Canaries. Two of the 70,000 Events of such
        /// a wave share a digest with a probability of about 10⁻¹⁰ (then the second raises the first's count).
        var digest: Int {
            var hasher = Hasher()
            hash(into: &hasher)
            return hasher.finalize()
        }
    }

    public init(
        client: KubeClient, component: String, burst: Int = 25, refill: Duration = .seconds(10),
        logger: Logger = Logger(label: "serin.events"), metrics: RuntimeMetrics = .shared, clock: OperatorClock = .system,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.retry = retry
        self.component = component
        self.burst = burst
        self.refill = refill
        self.events = client.resource(.events, as: JSONValue.self)
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
        (stream, input) = AsyncStream.makeStream(of: Pending.self, bufferingPolicy: .bufferingNewest(1000))
    }

    /// Queues an Event; returns at once.
    public func record(_ reference: EventObjectReference, type: EventType, reason: String, message: String) {
        let admitted = state.withLock { state -> Bool in
            guard take(&state, reference) else { return false }
            state.queued += 1
            return true
        }
        guard admitted else {
            metrics.eventDropped(reason: "rate_limited")
            logger.debug("event dropped by the rate limit", metadata: ["object": "\(reference.kind)/\(reference.name)", "reason": "\(reason)"])
            return
        }
        if case .dropped = input.yield(
            Pending(
                reference: reference, type: type, reason: reason, message: message, at: now(),
                scope: ReconcileScope.key))
        {
            metrics.eventDropped(reason: "queue_full")
            finished()
        }
    }

    /// Forgets the Events not written within ``aggregationWindow`` and the rate limits that have refilled,
    /// at most once a minute.
    static func prune(_ state: inout RecorderState, now: Date, burst: Int, refill: Duration) {
        guard now.timeIntervalSince(state.pruned) >= 60 else { return }
        state.pruned = now
        let window = Double(aggregationWindow.components.seconds)
        state.written = state.written.filter { now.timeIntervalSince($0.value.at) < window }
        let full = Double(refill.components.seconds) * Double(max(burst, 1))
        state.tokens = state.tokens.filter { now.timeIntervalSince($0.value.at) < full }
    }

    /// How many Events are remembered for aggregation (for tests).
    var rememberedCount: Int { state.withLock { $0.written.count } }

    /// Waits until every Event queued so far has been written (or failed).
    public func flush() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.queued == 0 { return true }
                state.flushWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Writes queued Events until cancelled or graceful shutdown.
    public func run() async throws {
        for await pending in stream.cancelOnGracefulShutdown() {
            await ReconcileScope.$key.withValue(pending.scope) { await write(pending) }
            finished()
        }
    }

    private func finished() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.queued -= 1
            guard state.queued == 0 else { return [] }
            defer { state.flushWaiters = [] }
            return state.flushWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Takes one token of the object's bucket.
    private func take(_ state: inout RecorderState, _ reference: EventObjectReference) -> Bool {
        let current = now()
        var bucket = state.tokens[reference] ?? (Double(burst), current)
        bucket.tokens = min(Double(burst), bucket.tokens + current.timeIntervalSince(bucket.at) / refill.seconds)
        bucket.at = current
        guard bucket.tokens >= 1 else {
            state.tokens[reference] = bucket
            return false
        }
        bucket.tokens -= 1
        state.tokens[reference] = bucket
        return true
    }
}
