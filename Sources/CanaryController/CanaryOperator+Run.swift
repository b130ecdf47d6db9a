import Alerting
import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import OTLPTracing
import Routers
import ServiceLifecycle
import Synchronization
import Webhooks

/// A CRD the operator needs is not installed.
public struct MissingCRDError: Error, CustomStringConvertible {
    public var crd: String
    /// Where it is missing when that is not the operator's cluster (the service mesh's cluster).
    public var cluster: String?
    public var description: String {
        if let cluster { return "failed to start: the CRD \(crd) is not installed in \(cluster); install the service mesh's CRDs there" }
        return "failed to start: the CRD \(crd) is not installed; apply Serin's CRDs first (kubectl apply -f crds/, or install the Helm chart)"
    }
}

extension CanaryOperator {
    /// The custom resources the operator reads, by CRD name: Canaries, and the custom resources of what it
    /// watches (the enabled routers' objects, MetricTemplates). An operator whose mesh provider needs no
    /// Istio CRD starts without them.
    var requiredResources: [(crd: String, resource: KubeResource)] {
        [("canaries.flagger.app", Canary.resource)] + watched.compactMap { watched in watched.crd.map { ($0, watched.resource) } }
    }

    /// Runs until cancelled, graceful shutdown (SIGTERM) or lost leadership, in this order:
    ///
    /// 1. the HTTP endpoints (`/healthz` answers from the start; `/readyz` once ready); a port that cannot
    ///    be bound is fatal, named;
    /// 2. a check that every CRD is installed (a missing one is fatal, named; other failures, such as an
    ///    API server not answering yet, are retried);
    /// 3. the caches, until each has its first list (`/readyz` turns ready: standing by or alone);
    /// 4. leader election, when enabled (a standby keeps its caches warm for a fast takeover), or with
    ///    shards, an election per shard beside the controller, which drives only the shards held;
    /// 5. the controller. On shutdown it stops taking work, lets in-flight reconciles finish, and the
    ///    elector releases the Lease; the status is the only state, so the next leader continues.
    ///
    /// A graceful shutdown before the controller runs (still checking CRDs, syncing caches, or standing by
    /// for the lease) ends the start-up at once: SIGTERM always exits.
    public func run() async throws {
        do {
            try await start()
        } catch is CancellationError where Task.isShuttingDownGracefully {
            logger.info("stopped before the controller started")
        }
    }

    private func start() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            if let port = options.httpPort {
                let server = OperatorHTTPServer(metrics: metrics, health: health, logger: logger)
                let listening = Mutex<Result<Int, any Error>?>(nil)
                group.addTask {
                    do {
                        try await server.run(host: self.options.httpHost, port: port) { bound in
                            self.boundPort.withLock { $0 = bound }
                            listening.withLock { $0 = .success(bound) }
                        }
                    } catch {
                        listening.withLock { $0 = $0 ?? .failure(error) }
                        throw error
                    }
                }
                // Listening comes first, and a port that cannot be bound ends the start-up here (the steps
                // below would not notice the group failing).
                while true {
                    if case .failure(let error) = listening.withLock({ $0 }) { throw error }
                    if listening.withLock({ $0 }) != nil { break }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            try await cancelWhenGracefulShutdown { try await self.checkCRDs() }
            // Each watch on an executor of its own in turn, so that no one loop parses every watch's events.
            for (index, reflector) in ([canaries] + related).enumerated() {
                group.addTask(executorPreference: options.executor(for: index)) {
                    try await reflector.run()
                }
            }
            group.addTask { try await self.events.run() }
            group.addTask { await self.eventHooks.run() }
            group.addTask { await self.alerts.run() }
            if let traces { group.addTask { await traces.run() } }
            try await cancelWhenGracefulShutdown { try await self.waitUntilSynced() }
            health.synced()
            logger.info("caches synced", metadata: ["canaries": "\(canaries.cache.count)"])
            if let shards {
                health.set(.sharded)
                try await runSharded(shards)
            } else if let elector {
                health.set(.standby)
                try await elector.run { [self] in
                    health.set(.leading)
                    try await controller.run()
                }
            } else {
                health.set(.single)
                try await controller.run()
            }
            group.cancelAll()
        }
    }

    /// Runs the controller for the shards this replica holds: it drops the keys of other shards, and a
    /// shard taken over has all its Canaries enqueued at once. Each shard's lease is released only after the
    /// controller has stopped (in-flight reconciles finished), so a graceful shutdown hands over cleanly.
    func runSharded(_ shards: ShardedLeadership) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                defer { self.controllerStopped.store(true, ordering: .relaxed) }
                try await self.controller.run()
            }
            try await shards.run { shard in
                self.logger.info("leading a shard", metadata: ["shard": "\(shard)", "of": "\(shards.assignment.count)"])
                await self.cache(shard)
                await self.controller.enqueueAll { shards.assignment.shard(of: $0) == shard }
                do {
                    while !self.controllerStopped.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(100)) }
                } catch {
                    self.uncache(shard)
                    throw error
                }
            }
        }
    }

    /// Caches a shard taken over (``ShardCaches``): what its Canaries own is listed before they are reconciled;
    /// the time it took is logged.
    func cache(_ shard: Int) async {
        guard let shardCaches, shard != shardCaches.assignment.index else { return }
        let started = ContinuousClock.now
        await shardCaches.add(shard, related: related)
        logger.info("cached a shard taken over", metadata: ["shard": "\(shard)", "took": "\(ContinuousClock.now - started)"])
    }

    /// Drops a shard given up from the caches, in the background (not while shutting down).
    func uncache(_ shard: Int) {
        guard let shardCaches, shard != shardCaches.assignment.index, !controllerStopped.load(ordering: .relaxed) else { return }
        Task { await shardCaches.remove(shard, related: related) }
    }

    /// Lists one object of each required resource: a 404 means its CRD is missing. Any other failure (the
    /// API server restarting, a 500, a refused connection) is retried with a capped back-off until cancelled.
    func checkCRDs() async throws {
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(10), jitter: 0.1)
        for (crd, resource) in requiredResources {
            while true {
                do {
                    let source = meshResources.contains(resource) ? meshClient ?? client : client
                    _ = try await source.resource(resource, as: DynamicObject.self).list(namespace: options.namespace, options: ListOptions(limit: 1))
                    break
                } catch let error as KubeAPIError where error.isNotFound {
                    let mesh = meshResources.contains(resource) ? meshClient.map { "the service mesh cluster (\($0.configuration.source))" } : nil
                    throw MissingCRDError(crd: crd, cluster: mesh)
                } catch let error as KubeAPIError where [.unauthorized, .forbidden].contains(error.reason) {
                    throw error  // a credential or RBAC problem does not pass by waiting
                } catch {
                    let delay = backoff.nextDelay()
                    logger.warning("failed to check a CRD; retrying", metadata: ["crd": "\(crd)", "error": "\(error)", "retryIn": "\(delay)"])
                    try await Task.sleep(for: delay)
                }
            }
        }
    }
}
