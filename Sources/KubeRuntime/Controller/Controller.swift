import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle

/// Runs a ``Reconciler`` for the objects of one kind, triggered by changes to them and to related objects.
///
/// ## Expected flow
/// 1. Build it with the primary kind's ``Reflector``; add ``owns(_:)`` and ``watches(_:mapper:)`` triggers.
/// 2. Run the reflectors (they fill the caches), then ``run()`` the controller.
/// 3. Every object in the primary cache is reconciled once at start (at background priority: a change
///    goes first), then whenever it or a related object changes, or when a reconcile asked to be requeued.
///
/// ## Guarantees
/// - Never two reconciles of the same key at once; changes during a reconcile coalesce into one more.
/// - At most ``ControllerConfig/concurrency`` reconciles at a time.
/// - Each outcome maps to exactly one queue operation, one metric label and one log line.
/// - Each reconcile runs with ``ReconcileScope/key`` bound to its key; with ``ControllerConfig/owns``, only
///   owned keys are reconciled.
/// - Requeues and back-off wait on the injected clock `C` (`ContinuousClock` unless a test passes its own),
///   so a test moves time instead of sleeping.
public final class Controller<Object: KubeObject, C: Clock & Sendable>: Service, Sendable where C.Duration == Duration {
    let name: String
    let primary: Reflector<Object>
    let reconciler: any Reconciler
    let config: ControllerConfig
    let logger: Logger
    let metrics: RuntimeMetrics
    let clock: C
    let queue: WorkQueue<ReconcileRequest, C>
    let inFlight = InFlightTriggers()
    private let triggers: [@Sendable (Controller) async -> Void]

    init(
        name: String, primary: Reflector<Object>, reconciler: any Reconciler, config: ControllerConfig, logger: Logger,
        metrics: RuntimeMetrics, clock: C, triggers: [@Sendable (Controller) async -> Void]
    ) {
        self.name = name
        self.primary = primary
        self.reconciler = reconciler
        self.config = config
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
        self.queue = WorkQueue(name: name, clock: clock, backoff: config.backoff)
        self.triggers = triggers
    }

    /// Starts a controller for `primary`'s kind whose requeues and back-off wait on `clock`.
    public convenience init(
        name: String, primary: Reflector<Object>, reconciler: any Reconciler, config: ControllerConfig = ControllerConfig(),
        logger: Logger = Logger(label: "serin.controller"), metrics: RuntimeMetrics = .shared, clock: C
    ) {
        self.init(
            name: name, primary: primary, reconciler: reconciler, config: config, logger: logger, metrics: metrics, clock: clock,
            triggers: [])
    }

    /// Also reconciles an object's controlling owner of this kind when the object changes (a change of its
    /// status alone as `statusChanges` says).
    public func owns<Owned: KubeObject>(_ reflector: Reflector<Owned>, ownerKind: String, statusChanges: StatusChanges = .wake) -> Controller {
        let trigger: @Sendable (Controller) async -> Void = { controller in
            // Mapped to keys in the reflector's task: a trigger that falls behind buffers keys, not objects.
            let keys = reflector.subscribe(mapping: { change -> [Trigger] in
                let object = change.object
                let requests = (object.ownerReferences ?? []).filter { $0.controller == true && $0.kind == ownerKind }
                    .map { ReconcileRequest(namespace: object.namespace, name: $0.name) }
                return controller.triggers(requests, by: change, in: reflector.resource, statusChanges: statusChanges)
            })
            for await triggers in keys { for trigger in triggers { await controller.add(trigger) } }
        }
        return Controller(
            name: name, primary: primary, reconciler: reconciler, config: config, logger: logger, metrics: metrics,
            clock: clock, triggers: triggers + [trigger])
    }

    /// Also reconciles the keys `mapper` returns when an object of another kind changes (for example, a
    /// Deployment → the Canaries that target it); a change of its status alone as `statusChanges` says.
    public func watches<Related: KubeObject>(
        _ reflector: Reflector<Related>, statusChanges: StatusChanges = .wake, mapper: @escaping @Sendable (Related) -> [ReconcileRequest]
    )
        -> Controller
    {
        let trigger: @Sendable (Controller) async -> Void = { controller in
            let keys = reflector.subscribe(mapping: { change in
                controller.triggers(mapper(change.object), by: change, in: reflector.resource, statusChanges: statusChanges)
            })
            for await triggers in keys { for trigger in triggers { await controller.add(trigger) } }
        }
        return Controller(
            name: name, primary: primary, reconciler: reconciler, config: config, logger: logger, metrics: metrics,
            clock: clock, triggers: triggers + [trigger])
    }

    /// Reconciles until cancelled or until graceful shutdown, then lets in-flight reconciles finish.
    public func run() async throws {
        // Every cached object once at background priority, so that a change arriving during the start-up of
        // a large fleet is not queued behind all of it, then every change (the list's objects, if the cache
        // had not synced yet).
        let resource = primary.resource
        let (current, changes) = primary.subscribeWithSnapshot(mapping: { [self] change in
            triggers([ObjectKey(change.object)], by: change, in: resource)
        })
        await primary.cache.waitUntilSynced()
        let queue = self.queue
        for object in current { await queue.add(ObjectKey(object), priority: .background) }
        logger.info("controller started", metadata: ["objects": "\(primary.cache.count)", "concurrency": "\(config.concurrency)"])
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    group.addTask {
                        for await triggers in changes { for trigger in triggers { await self.add(trigger) } }
                    }
                    for trigger in triggers { group.addTask { await trigger(self) } }
                    // The workers run until the queue shuts down; then the triggers are stopped.
                    await withDiscardingTaskGroup { workers in
                        for index in 0..<max(config.concurrency, 1) {
                            workers.addTask(executorPreference: config.executor(for: index)) { await self.work() }
                        }
                    }
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                Task { await queue.shutdown() }  // bridges the synchronous shutdown callback
            }
        } onCancel: {
            Task { await queue.shutdown() }  // bridges the synchronous cancellation callback
        }
        logger.info("controller stopped")
    }

    /// Enqueues a key now (for tests and manual triggers).
    public func enqueue(_ request: ReconcileRequest) async { await queue.add(request) }

    /// Whether the controller has nothing to do until its clock moves or an object changes (``WorkQueue/isIdle``).
    public var isIdle: Bool { get async { await queue.isIdle } }

    /// Enqueues every cached object whose key `matches` (a shard just taken over).
    public func enqueueAll(where matches: (ReconcileRequest) -> Bool) async {
        for key in primary.cache.keys where matches(key) {
            await queue.add(key)
        }
    }
}

extension Controller where C == ContinuousClock {
    /// Starts a controller for `primary`'s kind.
    public convenience init(
        name: String, primary: Reflector<Object>, reconciler: any Reconciler, config: ControllerConfig = ControllerConfig(),
        logger: Logger = Logger(label: "serin.controller"), metrics: RuntimeMetrics = .shared
    ) {
        self.init(
            name: name, primary: primary, reconciler: reconciler, config: config, logger: logger, metrics: metrics,
            clock: ContinuousClock(), triggers: [])
    }
}

/// How a controller runs.
public struct ControllerConfig: Sendable {
    /// How many reconciles may run at once (never two for the same key).
    public var concurrency = 2
    /// The per-key back-off after errors.
    public var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(300))
    /// The writes of this controller's reconciles, installed on the client they write with: the watch event
    /// of a reconcile's own write then does not reconcile the key again when that reconcile scheduled its
    /// next look (``OwnWrites``). `nil`: every event reconciles.
    public var ownWrites: OwnWrites?
    /// Which keys this controller reconciles now (`nil`: all). A key it does not own is dropped when it
    /// comes up; whoever gains ownership re-enqueues it with ``Controller/enqueueAll(where:)``.
    public var owns: (@Sendable (ReconcileRequest) -> Bool)?
    /// The executors the workers run on, taken in turn (worker `i` on `executors[i % count]`); empty:
    /// Swift's default pool.
    public var executors: [any TaskExecutor] = []

    public init(concurrency: Int = 2) { self.concurrency = concurrency }

    /// The executor worker `index` prefers, if any.
    func executor(for index: Int) -> (any TaskExecutor)? {
        executors.isEmpty ? nil : executors[index % executors.count]
    }
}
