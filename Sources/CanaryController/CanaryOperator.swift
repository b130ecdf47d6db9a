import Alerting
import Analysis
import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import MetricProviders
import Notifiers
import OutboundHTTP
import Prometheus
import Routers
import ServiceLifecycle
import Synchronization
import Targets
import OTLPTracing
import Webhooks

/// The canary operator: watch-fed caches of everything a Canary touches, and a controller that reconciles
/// Canaries when they or any related object change.
///
/// ## Expected flow
/// Reflectors fill the caches: Canaries, the target kinds of ``TargetRegistry``, Services, HPAs,
/// MetricTemplates, and what the routers enabled by `--mesh-provider` read (``RouterRegistry``; Istio's
/// VirtualServices and DestinationRules, or nothing for `kubernetes`). The event recorder and the
/// controller run beside them. A target change reconciles the Canaries that target it at once; objects a
/// Canary owns reconcile it when they change, and so does a MetricTemplate it names; analysis steps are
/// `requeueAfter`. An idle Canary costs no API request.
public final class CanaryOperator: Service, Sendable {

    public let client: KubeClient
    /// The client of the service mesh's control-plane cluster (`--kubeconfig-service-mesh`), where the routers'
    /// custom resources live; `nil` when they live beside the Canaries.
    public let meshClient: KubeClient?
    /// The resources read and written through ``meshClient``.
    let meshResources: Set<KubeResource>
    public let options: OperatorOptions
    let canaries: Reflector<DynamicObject>
    let related: [Reflector<DynamicObject>]
    /// The resources behind `related`, with their CRDs.
    let watched: [WatchedResource]
    public let events: EventRecorder
    let eventHooks: EventWebhooks
    let alerts: OperatorAlerts
    /// The OTLP exporter of rollout traces (`OTEL_EXPORTER_OTLP_*`); `nil` when tracing is off.
    let traces: OTLPExporter?
    public let controller: Controller<DynamicObject, OperatorClock>
    /// The controller's reconciler, for calling it directly (the fast test tier).
    let reconciler: CanaryReconciler
    public let metrics: OperatorMetrics
    public let health: OperatorHealth
    let elector: LeaderElector?
    /// Leases per shard (`--shard N/M`); `nil` unless sharded.
    let shards: ShardedLeadership?
    /// What a sharded replica caches (its own shard and those it leads); `nil` unless sharded.
    let shardCaches: ShardCaches?
    let boundPort = Mutex<Int?>(nil)
    /// Set once the controller has stopped: a shard's lease is released only then.
    let controllerStopped = Atomic<Bool>(false)
    let logger: Logger

    /// - Parameters:
    ///   - client: the client for everything but the Lease; with `elector`, it must carry `elector.fence` as
    ///     its write fence, so that only the leader writes.
    ///   - elector: leader election (`--enable-leader-election`); `nil` runs alone.
    ///   - shards: leases per shard (`--shard N/M`) instead of `elector`; `client` must carry it as its write
    ///     fence, so that each Canary is written only by the holder of its shard.
    ///   - registry: where `/metrics` comes from; the command also bootstraps swift-metrics on it.
    ///   - clock: the operator's one clock, for requeues and for the times it records (a test's virtual time).
    ///   - meshClient: the service mesh's cluster (``meshClient``), with the same write fence as `client`.
    public init(
        client: KubeClient, meshClient: KubeClient? = nil, options: OperatorOptions, elector: LeaderElector? = nil,
        shards: ShardedLeadership? = nil,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger = Logger(label: "serin.operator"),
        clock: OperatorClock = .system
    ) {
        self.client = client
        self.meshClient = meshClient
        self.options = options
        self.elector = elector
        self.shards = shards
        self.logger = logger
        let namespace = options.namespace
        let events = EventRecorder(
            client: client, component: options.component, burst: options.eventBurst, refill: options.eventRefill,
            logger: logger, clock: clock)
        self.events = events
        // Every cache holds JSON: triggers and /metrics read the Canaries' indexes, never a list.
        let routerRegistrations = RouterRegistry.enabled(meshProvider: options.meshProvider, settings: options.routerSettings)
        let meshResources = meshClient == nil ? [] : CanaryOperator.meshResources(of: routerRegistrations)
        self.meshResources = meshResources
        let shardCaches = shards.map { ShardCaches(assignment: $0.assignment) }
        self.shardCaches = shardCaches
        var admitsRelated: (@Sendable (DynamicObject) -> Bool)?
        if let shardCaches { admitsRelated = { shardCaches.admitsRelated($0) } }
        let targetRegistrations = TargetRegistry.enabled(meshProvider: options.meshProvider)
        let transforms = Dictionary(targetRegistrations.compactMap { target in target.cacheTransform.map { (target.resource.resource, $0) } }) {
            a, _ in a
        }
        var watcherConfig = WatcherConfig()
        watcherConfig.withoutManagedFields = true  // dropBookkeeping drops them: not built at all
        func reflector(
            _ resource: KubeResource, indexes: [CacheIndex<DynamicObject>] = [], admits: (@Sendable (DynamicObject) -> Bool)? = nil
        ) -> Reflector<DynamicObject> {
            Reflector(
                client: meshResources.contains(resource) ? meshClient ?? client : client, resource: resource, namespace: namespace,
                config: watcherConfig, indexes: indexes, logger: logger,
                transform: CacheTransform.chained(CacheTransform.dropBookkeeping, transforms[resource]), encoding: .compact(), admits: admits
            ) { skip in
                CanaryOperator.reportSkipped(skip, resource: resource, events: events)
            }
        }
        canaries = reflector(Canary.resource, indexes: CanaryOperator.canaryIndexes(routers: routerRegistrations))
        let canaryCache = canaries.cache
        let metrics = OperatorMetrics(
            registry: registry, version: options.version, meshProvider: options.meshProvider.rawValue,
            canaryCounts: { canaryCache.keys.reduce(into: [:]) { counts, key in counts[key.namespace ?? "", default: 0] += 1 } },
            heldCounts: { canaryCache.counts(byIndex: CanaryOperator.heldIndex) })
        self.metrics = metrics
        watched = CanaryOperator.watchedResources(
            routers: routerRegistrations, targets: targetRegistrations, configTracking: options.configTracking,
            rolloutPolicies: options.rolloutPolicies)
        var reflectors: [KubeResource: Reflector<DynamicObject>] = [:]
        let targetResources = Set(targetRegistrations.map(\.resource.resource))
        for watchedResource in watched where reflectors[watchedResource.resource] == nil {
            let indexes = targetResources.contains(watchedResource.resource) ? [CanaryOperator.configIndex] : []
            reflectors[watchedResource.resource] = reflector(
                watchedResource.resource, indexes: indexes, admits: admitsRelated)
        }
        related = watched.compactMap { reflectors[$0.resource] }
        let caches = ObjectCaches(reflectors.mapValues(\.cache))
        func follow(_ resource: KubeResource) -> Reflector<DynamicObject> {
            guard let reflector = reflectors[resource] else { preconditionFailure("\(resource) is not watched") }
            return reflector
        }
        let http = OutboundHTTP(proxies: options.proxies)
        let webhooks = WebhookClient(http: http, credentials: options.webhookCredentials)
        eventHooks = EventWebhooks(client: webhooks, global: options.eventWebhook, logger: logger)
        alerts = OperatorAlerts(
            globals: CanaryOperator.globalNotifiers(options, logger: logger), resolver: AlertProviderResolver(client: client),
            clusterName: options.clusterName, stuckGateAfter: options.stuckGateAfter, retries: options.alertRetries,
            retryDelay: options.alertRetryDelay, events: events, metrics: metrics, logger: logger, clock: clock)
        let traces = options.tracing.map { OTLPExporter(settings: $0, version: options.version, http: http, logger: logger) }
        self.traces = traces
        let services = KubernetesServiceRouter(client: client, cache: caches[.services])
        let observer = CanaryObserver(
            canaries: canaries.cache,
            targets: Dictionary(
                targetRegistrations.map { ($0.kind, $0.make(client, caches, options.targetOptions)) }, uniquingKeysWith: { first, _ in first }),
            routers: Dictionary(
                routerRegistrations.map { registration in
                    let routing = registration.resources.contains { meshResources.contains($0.resource) } ? meshClient ?? client : client
                    return (registration.provider, registration.make(routing, caches, options.routerSettings))
                }, uniquingKeysWith: { first, _ in first }),
            services: services, policies: options.rolloutPolicies ? caches[RolloutPolicy.resource] : nil,
            validation: options.validationContext(routers: Set(routerRegistrations.map(\.provider))),
            minimumInterval: options.minimumInterval, clock: clock)
        let hooks = WebhookRunner(client: webhooks)
        let checks = CanaryCheckRunner(
            analysis: MetricAnalysis(
                client: client, templates: caches[MetricTemplate.resource], metricsServer: options.metricsServer, http: http, clock: clock,
                environment: options.providerEnvironment),
            hooks: hooks, metrics: metrics, clock: clock)
        let actions = CanaryActionExecutor(
            canaries: canaries.cache, canaryObjects: client.resource(Canary.resource, as: DynamicObject.self),
            autoscaler: AutoscalerTarget(client: client, cache: caches[.horizontalPodAutoscalers]),
            services: services, hooks: hooks, events: events,
            eventHooks: eventHooks, alerts: alerts, clock: clock,
            slots: options.rolloutPolicies
                ? RolloutSlotWriter(
                    policies: client.resource(RolloutPolicy.resource, as: RolloutPolicy.self), cache: caches[RolloutPolicy.resource],
                    canaries: canaryCache,
                    clock: clock) : nil)
        let status = CanaryStatusRecorder(
            canaries: client.resource(Canary.resource, as: JSONValue.self), events: events, alerts: alerts, clock: clock)
        if options.rolloutPolicies {
            let policies = caches[RolloutPolicy.resource]
            metrics.follow { policies.list().compactMap { try? $0.json.decode(as: RolloutPolicy.self) } }  // unreadable: not exported
        }
        let cachedResources = ([canaries] + related).map { ($0.resourceName, $0.cache) }
        metrics.follow(caches: {
            Dictionary(cachedResources.map { ($0, (objects: $1.count, bytes: $1.encodedBytes)) }) { ($0.objects + $1.objects, $0.bytes + $1.bytes) }
        })
        let reconciler = CanaryReconciler(
            observer: observer, checks: checks, actions: actions, status: status, metrics: metrics, clock: clock,
            tracing: RolloutTracing(exporter: traces))
        self.reconciler = reconciler
        let healthCaches = ([canaries] + related).map { reflector in (reflector.resourceName, reflector.cache) }
        health = OperatorHealth(shards: shards) { healthCaches.flatMap { name, cache in cache.skipped.map { "\(name) \($0)" } } }
        var controllerConfig = ControllerConfig(concurrency: options.concurrency)
        controllerConfig.executors = options.executors
        let ownWrites = OwnWrites()
        client.observeWrites(ownWrites)  // a step's own writes do not reconcile its Canary again
        meshClient?.observeWrites(ownWrites)
        controllerConfig.ownWrites = ownWrites
        if let shards { controllerConfig.owns = { shards.owns($0) && (shardCaches?.isReady($0) ?? true) } }
        let controller = Controller(
            name: "canary", primary: canaries, reconciler: reconciler, config: controllerConfig, logger: logger, clock: clock)
        self.controller = CanaryOperator.triggers(
            of: CanaryOperator.dependents(of: controller, canaries: canaries), canaries: canaryCache, watched: watched, targets: targetRegistrations,
            routers: routerRegistrations,
            configTracking: options.configTracking, events: events, follow: follow)
    }

    /// An object no cache can hold: a Warning event on it, so `kubectl describe` says why it is not acted on.
    static func reportSkipped(_ skip: SkippedObject, resource: KubeResource, events: EventRecorder) {
        let reference = EventObjectReference(
            apiVersion: resource.apiVersion, kind: resource.kind, namespace: skip.namespace, name: skip.name,
            uid: skip.uid)
        events.record(
            reference, type: .warning, reason: "Synced",
            message:
                "\(resource.kind.lowercased()) \(skip.name).\(skip.namespace ?? "") cannot be read and is skipped until it changes: \(skip.reason)")
    }

    /// Waits until every cache has its first list; throws `CancellationError` when cancelled.
    public func waitUntilSynced() async throws {
        for cache in [canaries.cache] + related.map(\.cache) {
            while !cache.isSynced { try await Task.sleep(for: .milliseconds(20)) }  // start-up only: a poll can be cancelled
        }
    }

    /// The port `/metrics`, `/healthz` and `/readyz` listen on, once they do.
    public var httpPort: Int? { boundPort.withLock { $0 } }

    /// The notifiers of the global providers' flags (the command checked they build).
    static func globalNotifiers(_ options: OperatorOptions, logger: Logger) -> [AlertProviderType: any Notifier] {
        var notifiers: [AlertProviderType: any Notifier] = [:]
        for provider in options.alertProviders {
            guard let registration = NotifierRegistry.registration(for: provider.type) else { continue }
            do { notifiers[provider.type] = try registration.make(provider.config) } catch {
                logger.error(
                    "a global alert provider cannot be used; its alerts are off", metadata: ["provider": "\(provider.type)", "error": "\(error)"])
            }
        }
        return notifiers
    }
}
