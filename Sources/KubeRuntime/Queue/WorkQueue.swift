import DequeModule
import Foundation

/// A work queue of keys, as controllers use it.
///
/// ## Guarantees
/// - **De-duplication**: a key waiting in the queue is there once, however often it is added.
/// - **Per-key exclusion**: a key handed out by ``next()`` is not handed out again until ``done(_:)``; adds
///   that arrive meanwhile mark it dirty, and it is queued again when done (coalesced into one).
/// - **Delays**: ``add(_:after:)`` keeps the earliest deadline when a key is scheduled twice.
/// - **Back-off**: ``addRateLimited(_:)`` delays a key exponentially per consecutive failure (capped);
///   ``forget(_:)`` resets it after a success.
///
/// - **Echoes**: ``addEcho(_:)`` (the watch event of a key's own write) adds the key only when its last
///   processing did not schedule it again: the processing knew what it wrote and said when to look next.
/// - **Quiet keys**: ``addStatusChange(_:)`` (a related object's status changed, not its spec) adds a key
///   only when its last processing did not say it waits for time alone (``setQuiet(_:_:)``).
/// - **Priority**: keys added with ``Priority/background`` (the start-up reconcile of every cached object)
///   are handed out only when no other key is ready; adding such a key normally moves it ahead.
///
/// ## Caveats
/// Order is first-in first-out among ready keys of one priority. The queue holds keys only; what they mean is read from
/// caches when they are processed (level-based reconciliation).
public actor WorkQueue<Key: Hashable & Sendable, C: Clock> where C.Duration == Duration {
    private let clock: C
    private let backoffTemplate: Backoff
    private var ready: Deque<Key> = []
    /// Background keys in order; a key moved ahead stays here and is skipped (it is no longer in `waiting`).
    private var background: Deque<Key> = []
    private var waiting: Set<Key> = []
    private var queued: Set<Key> = []
    private var processing: Set<Key> = []
    private var dirty: Set<Key> = []
    /// Keys whose own write's echo arrived while they were processed: decided in ``done(_:)``.
    private var echoed: Set<Key> = []
    /// Keys whose last processing waits for time alone: a status change does not add them.
    private var quiet: Set<Key> = []
    /// Keys a status change arrived for while they were processed: decided in ``done(_:)``.
    private var statusChanged: Set<Key> = []
    private var scheduled: [Key: (deadline: C.Instant, timer: Task<Void, Never>)] = [:]
    private var backoffs: [Key: Backoff] = [:]
    private var addedAt: [Key: C.Instant] = [:]
    private var waiters: Deque<CheckedContinuation<(key: Key, priority: Priority)?, Never>> = []
    private var shuttingDown = false
    private let metrics: QueueMetrics

    /// - Parameters:
    ///   - backoff: the per-key back-off for ``addRateLimited(_:)`` (default 5 ms doubling to 5 minutes).
    public init(
        name: String, clock: C, backoff: Backoff = Backoff(initial: .milliseconds(5), maximum: .seconds(300)),
        metrics: QueueMetrics? = nil
    ) {
        self.clock = clock
        self.backoffTemplate = backoff
        self.metrics = metrics ?? QueueMetrics(name: name)
    }

    /// How urgent a key is.
    public enum Priority: Sendable {
        /// A change: handed out in order.
        case normal
        /// Start-up work (every cached object once): handed out when nothing else is ready.
        case background
    }

    /// Adds a key now.
    public func add(_ key: Key, priority: Priority = .normal) {
        guard !shuttingDown else { return }
        if let entry = scheduled.removeValue(forKey: key) { entry.timer.cancel() }
        if processing.contains(key) {
            dirty.insert(key)
            return
        }
        if queued.contains(key) {
            // A change to a key still waiting in the background moves it ahead.
            if priority == .normal, waiting.remove(key) != nil { ready.append(key) }
            return
        }
        queued.insert(key)
        addedAt[key] = clock.now
        if let waiter = waiters.popFirst() {
            waiter.resume(returning: (start(key), priority))
        } else if priority == .background {
            background.append(key)
            waiting.insert(key)
        } else {
            ready.append(key)
        }
        metrics.recordDepth(depth)
    }

    /// Adds a key for the echo of a write its own processing made: dropped when the key is queued or
    /// scheduled (that processing's delay stands); while it is processed, decided when it is done, where
    /// it is added only if the processing did not schedule the key again. Returns whether it was added now.
    @discardableResult
    public func addEcho(_ key: Key) -> Bool {
        guard !shuttingDown, scheduled[key] == nil, !queued.contains(key) else { return false }
        if processing.contains(key) {
            echoed.insert(key)
            return false
        }
        add(key)
        return true
    }

    /// Adds a key for a status change of a related object: dropped while the key is quiet (its last
    /// processing waits for time alone, whether or not it scheduled the key); while it is processed, decided
    /// when it is done, by what that processing said. Returns whether it was dropped for a quiet key.
    @discardableResult
    public func addStatusChange(_ key: Key) -> Bool {
        guard !shuttingDown, !queued.contains(key) else { return false }
        if processing.contains(key) {
            statusChanged.insert(key)
            return false
        }
        guard !quiet.contains(key) else { return true }
        add(key)
        return false
    }

    /// Says whether `key` waits for time alone (a status change does not add it) until it is processed again.
    public func setQuiet(_ key: Key, _ isQuiet: Bool) {
        if isQuiet { quiet.insert(key) } else { quiet.remove(key) }
    }

    /// Adds a key once `delay` has passed; an earlier deadline already scheduled wins.
    public func add(_ key: Key, after delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key) }
        let deadline = clock.now.advanced(by: delay)
        if let existing = scheduled[key] {
            guard deadline < existing.deadline else { return }
            existing.timer.cancel()
        }
        let clock = self.clock
        // A timer task per delayed key: it bridges the clock's sleep back into the actor.
        let timer = Task { [weak self] in
            guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
            await self?.fire(key, deadline: deadline)
        }
        scheduled[key] = (deadline, timer)
    }

    /// Adds a key after its back-off delay and lengthens the back-off for next time.
    public func addRateLimited(_ key: Key) {
        var backoff = backoffs[key] ?? backoffTemplate
        let delay = backoff.nextDelay()
        backoffs[key] = backoff
        add(key, after: delay)
    }

    /// Resets a key's back-off (after it was processed successfully).
    public func forget(_ key: Key) { backoffs.removeValue(forKey: key) }

    /// How many times in a row the key has been re-added with back-off.
    public func failures(of key: Key) -> Int { backoffs[key]?.consecutiveFailures ?? 0 }

    /// The next key to process, waiting for one; `nil` once the queue shuts down.
    public func next() async -> Key? { await nextWithPriority()?.key }

    /// The next key to process and the priority it was queued with (a background key's work can be
    /// made to yield to others: ``KubeClient/RequestPriority``); `nil` once the queue shuts down.
    public func nextWithPriority() async -> (key: Key, priority: Priority)? {
        if let (key, priority) = popReady() {
            metrics.recordDepth(depth)
            return (start(key), priority)
        }
        if shuttingDown { return nil }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Marks a key as processed; if it was added meanwhile it is queued again.
    public func done(_ key: Key) {
        processing.remove(key)
        let echo = echoed.remove(key) != nil
        let status = statusChanged.remove(key) != nil
        if dirty.remove(key) != nil || (echo && scheduled[key] == nil) || (status && !quiet.contains(key)) { add(key) }
    }

    /// Stops handing out keys: waiting ``next()`` calls return `nil`, delayed keys are dropped.
    public func shutdown() {
        shuttingDown = true
        for entry in scheduled.values { entry.timer.cancel() }
        scheduled.removeAll()
        while let waiter = waiters.popFirst() { waiter.resume(returning: nil) }
    }

    /// Keys ready to be handed out now, of either priority.
    public var depth: Int { ready.count + waiting.count }

    private func popReady() -> (Key, Priority)? {
        if let key = ready.popFirst() { return (key, .normal) }
        while let key = background.popFirst() {
            if waiting.remove(key) != nil { return (key, .background) }  // else it was moved ahead and handed out already
        }
        return nil
    }

    /// Keys waiting for a delay.
    public var scheduledCount: Int { scheduled.count }

    /// Whether the queue has nothing to do until its clock moves: no key ready, processed or dirty, and no
    /// delayed key whose time has come (its timer may not have fired yet).
    public var isIdle: Bool {
        let now = clock.now
        return ready.isEmpty && waiting.isEmpty && processing.isEmpty && dirty.isEmpty && !scheduled.values.contains { $0.deadline <= now }
    }

    private func fire(_ key: Key, deadline: C.Instant) {
        guard let entry = scheduled[key], entry.deadline == deadline else { return }
        scheduled.removeValue(forKey: key)
        add(key)
    }

    private func start(_ key: Key) -> Key {
        queued.remove(key)
        processing.insert(key)
        if let added = addedAt.removeValue(forKey: key) {
            metrics.recordWait(added.duration(to: clock.now))
        }
        return key
    }
}
