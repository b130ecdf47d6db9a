import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Contour routing for a Canary (`provider: contour`), as Flagger does it: the HTTPProxy `<svc>` (not a root
/// proxy: the user's root HTTPProxy for the domain `includes` it) whose first route splits traffic between
/// the `<svc>-primary` and `<svc>-canary` Services by weight, with Contour's timeout and retry policies and
/// the `l5d-dst-override` header each Service needs behind Linkerd.
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Serin owns `spec.routes`; `virtualhost`, `includes`, `ingressClassName` and the rest survive.
/// - A/B testing: one route per `analysis.match` block, its headers all required (Contour ANDs a route's
///   conditions; Flagger puts every block's headers in one route, so no request matches two blocks), then
///   the default route to the primary.
public struct ContourRouter: TrafficRouter {
    let proxy: RoutingObject
    /// The `ingressClassName` written (`--ingress-class`); `nil` writes none and keeps the user's.
    let ingressClass: String?

    public static let resource = KubeResource(group: "projectcontour.io", version: "v1", kind: "HTTPProxy", plural: "httpproxies", namespaced: true)

    /// The `contour` provider for ``RouterRegistry``: the HTTPProxies it owns.
    public static let registration = RouterRegistration(
        provider: .contour, resources: [WatchedResource(resource, crd: "httpproxies.projectcontour.io", owned: true)],
        validation: validation
    ) { client, caches, settings in
        ContourRouter(client: client, cache: caches[resource], ingressClass: settings.ingressClass)
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>, ingressClass: String? = nil) {
        proxy = RoutingObject(client: client, cache: cache, resource: ContourRouter.resource, carriesApexMetadata: true)
        self.ingressClass = ingressClass
    }

    /// Flagger's Contour queries over Envoy's cluster statistics for the canary Service (`<ns>_<svc>-canary_<port>`).
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+",envoy_response_code!~"5.*"}[{{ interval }}])) \
            / sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+",}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=~"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+",}[{{ interval }}])) by (le))
            """,
        requestCount: """
            sum(increase(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+"}[{{ interval }}]))
            """)

    public var queries: BuiltinQueries { ContourRouter.queries }

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? { proxy.live(canary).flatMap { ContourRouter.weights(in: $0, canary: canary) } }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        try await proxy.apply(canary, owner: owner) { ContourRouter.desiredHTTPProxy(canary, live: $0, ingressClass: ingressClass) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        try await proxy.patch(canary, ["spec": ["routes": .array(ContourRouter.routes(canary, routes))]])
    }

    public func finalize(_ canary: Canary) async throws { try await proxy.restore(canary) }
}
