import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// APISIX routing for a Canary (`provider: apisix`), as Flagger does it: the user's ApisixRoute
/// (`spec.routeRef`) is left alone and Serin writes `<route>-<svc>-canary`, a copy of its HTTP route that
/// sends to `<svc>`, at the highest priority, whose backends `<svc>-primary` and `<svc>-canary` carry the
/// weights.
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - The canary route follows the user's: its HTTP route's match, plugins and backend settings, on every
///   change of the user's ApisixRoute (which reconciles the Canary at once).
public struct APISIXRouter: TrafficRouter {
    /// The canary ApisixRoute.
    let canaryRoute: RoutingObject
    /// Every ApisixRoute, the users' included.
    let cache: ObjectCache<DynamicObject>

    public static let resource = KubeResource(
        group: "apisix.apache.org", version: "v2", kind: "ApisixRoute", plural: "apisixroutes", namespaced: true)
    /// The priority Flagger gives the canary route, above the user's.
    static let priority = 10_000

    /// The `apisix` provider for ``RouterRegistry``: it reads every ApisixRoute and owns the canary ones.
    public static let registration = RouterRegistration(
        provider: .apisix, resources: [WatchedResource(resource, crd: "apisixroutes.apisix.apache.org", owned: true)],
        references: [.init(resource) { canary in canary[path: "spec", "routeRef", "name"]?.stringValue.map { [$0] } ?? [] }],
        validation: validation
    ) { client, caches, _ in
        APISIXRouter(client: client, cache: caches[resource])
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        self.cache = cache
        canaryRoute = RoutingObject(client: client, cache: cache, resource: APISIXRouter.resource, name: APISIXRouter.canaryRouteName)
    }

    /// Flagger's APISIX queries over the prometheus plugin's series for the canary route (`<ns>_<route>-<target>-canary_<http>`).
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(apisix_http_status{route=~"{{ namespace }}_{{ route }}-{{ target }}-canary_.+",code!~"5.."}[{{ interval }}])) \
            / sum(rate(apisix_http_status{route=~"{{ namespace }}_{{ route }}-{{ target }}-canary_.+"}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(apisix_http_latency_bucket{type=~"request",route=~"{{ namespace }}_{{ route }}-{{ target }}-canary_.+"}[{{ interval }}])) by (le))
            """,
        requestCount: """
            sum(increase(apisix_http_status{route=~"{{ namespace }}_{{ route }}-{{ target }}-canary_.+"}[{{ interval }}]))
            """)

    public var queries: BuiltinQueries { APISIXRouter.queries }

    public var splitsTraffic: Bool { true }

    @Sendable static func canaryRouteName(_ canary: Canary) -> String {
        "\(canary.spec.routeRef?.name ?? canary.targetName)-\(canary.serviceName)-canary"
    }

    public func routes(_ canary: Canary) -> Routes? { canaryRoute.live(canary).flatMap { APISIXRouter.weights(in: $0, canary: canary) } }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        let name = canary.spec.routeRef?.name ?? ""
        guard let user = cache.get(namespace: canary.namespace, name: name)?.json else {
            throw RouterError("apisixroute \(name).\(canary.namespace) not found (spec.routeRef)", terminal: true)
        }
        guard let http = APISIXRouter.httpRoute(sendingTo: canary.serviceName, in: user) else {
            throw RouterError("no http route of apisixroute \(name).\(canary.namespace) sends to \(canary.serviceName) alone", terminal: true)
        }
        try await canaryRoute.apply(canary, owner: owner) { APISIXRouter.desiredCanaryRoute(canary, user: user, http: http, live: $0) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        guard var http = canaryRoute.live(canary)?[path: "spec", "http"]?.arrayValue, !http.isEmpty else {
            throw RouterError("apisixroute \(APISIXRouter.canaryRouteName(canary)).\(canary.namespace) not found")
        }
        http[0]["backends"] = APISIXRouter.backends(canary, template: http[0][path: "backends"]?[0] ?? [:], routes)
        try await canaryRoute.patch(canary, ["spec": ["http": .array(http)]])
    }

    public func finalize(_ canary: Canary) async throws { try await canaryRoute.restore(canary) }
}
