import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Skipper ingress routing for a Canary (`provider: skipper`), as Flagger does it: the user's Ingress
/// (`spec.ingressRef`) is left alone and Serin writes `<ingress>-canary`, a copy of it whose paths to `<svc>`
/// go to `<svc>-primary` and, as a second backend of the same path, to `<svc>-canary`. Skipper splits them
/// by `zalando.org/backend-weights`; the route's `zalando.org/skipper-predicate` starts with `Weight(100)`
/// while the canary takes traffic (so the copy outranks the user's Ingress) and `False()` when it takes
/// none (so the user's Ingress, whose `<svc>` points at the primary, answers alone).
///
/// ## Guarantees
/// - Reconcile keeps the live split: only ``setRoutes(_:_:)`` changes the weights and the leading predicate
///   (Flagger resets them to 100/0 when the user's Ingress changes mid-rollout).
/// - The copy follows the user's Ingress: spec, labels, other annotations and predicates.
/// - A user's Ingress without a path to `<svc>` is refused naming it (Flagger's check never fires).
public struct SkipperRouter: TrafficRouter {
    /// The canary Ingress.
    let canaryIngress: RoutingObject
    /// Every Ingress, the users' included.
    let cache: ObjectCache<DynamicObject>

    static let resource = NginxRouter.resource

    /// The `skipper` provider for ``RouterRegistry``: it reads every Ingress and owns the canary ones.
    public static let registration = RouterRegistration(
        provider: .skipper, resources: [WatchedResource(resource, owned: true)],
        references: [.init(resource) { canary in canary[path: "spec", "ingressRef", "name"]?.stringValue.map { [$0] } ?? [] }],
        validation: validation
    ) { client, caches, _ in
        SkipperRouter(client: client, cache: caches[resource])
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        self.cache = cache
        canaryIngress = RoutingObject(client: client, cache: cache, resource: SkipperRouter.resource, name: SkipperRouter.canaryIngressName)
    }

    public var queries: BuiltinQueries { SkipperRouter.queries }

    public var splitsTraffic: Bool { true }

    /// Flagger's Skipper queries over Skipper's route metrics, the canary's route being the canary Ingress's
    /// path to `<svc>-canary` (Skipper names routes `kube_<namespace>__<ingress>__<host>__<path>__<service>`,
    /// every non-word character an `_`, hence ``BuiltinQueries/wordCharactersOnly``). The duration is the mean,
    /// in milliseconds.
    public static let queries: BuiltinQueries = {
        let route = #"kube(ew)?_{{ namespace }}__{{ ingress }}_canary__.*__{{ service }}_canary(_[0-9]+)?"#
        var queries = BuiltinQueries(
            successRate: """
                sum(rate(skipper_response_duration_seconds_bucket{route=~"\(route)",code!~"5..",le="+Inf"}[{{ interval }}])) \
                / sum(rate(skipper_response_duration_seconds_bucket{route=~"\(route)",le="+Inf"}[{{ interval }}])) * 100
                """,
            requestDuration: """
                sum(rate(skipper_serve_route_duration_seconds_sum{route=~"\(route)"}[{{ interval }}])) \
                / sum(rate(skipper_serve_route_duration_seconds_count{route=~"\(route)"}[{{ interval }}])) * 1000
                """,
            requestCount: """
                sum(increase(skipper_serve_route_duration_seconds_count{route=~"\(route)"}[{{ interval }}]))
                """)
        queries.wordCharactersOnly = true
        return queries
    }()

    @Sendable static func canaryIngressName(_ canary: Canary) -> String { "\(canary.spec.ingressRef?.name ?? canary.targetName)-canary" }

    public func routes(_ canary: Canary) -> Routes? {
        canaryIngress.live(canary).flatMap { SkipperRouter.weights(in: $0, canary: canary) }
    }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        let name = canary.spec.ingressRef?.name ?? ""
        guard let user = cache.get(namespace: canary.namespace, name: name)?.json else {
            throw RouterError("ingress \(name).\(canary.namespace) not found (spec.ingressRef)", terminal: true)
        }
        guard SkipperRouter.sendsToApex(user, canary: canary) else {
            throw RouterError("backend \(canary.serviceName) not found in ingress \(name).\(canary.namespace)", terminal: true)
        }
        try await canaryIngress.apply(canary, owner: owner) { SkipperRouter.desiredCanaryIngress(canary, user: user, live: $0) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        let annotations = canaryIngress.live(canary)?[path: "metadata", "annotations"]?.objectValue ?? [:]
        let split = SkipperRouter.splitAnnotations(canary, routes, predicate: annotations[SkipperRouter.predicateAnnotation]?.stringValue)
        guard split.contains(where: { annotations[$0.key] != $0.value }) else { return }
        try await canaryIngress.patch(canary, ["metadata": ["annotations": .object(split)]])
    }

    public func finalize(_ canary: Canary) async throws { try await canaryIngress.restore(canary) }
}
