import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Gloo Edge routing for a Canary (`provider: gloo`), as Flagger does it: two Upstreams,
/// `<ns>-<svc>-primaryupstream-<port>` and `<ns>-<svc>-canaryupstream-<port>` (Kubernetes upstreams of the
/// `-primary` and `-canary` Services, with the settings of `spec.upstreamRef`'s Upstream), and the RouteTable
/// `<svc>`, which the user's Gloo VirtualService delegates to, splitting between them by weight.
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Serin owns the RouteTable's `routes` and the Upstreams' `kube` and copied settings; the rest survives.
/// - A/B testing: the weighted route matches any `analysis.match` block (one Gloo matcher each), and a second
///   route sends every other request to the primary (Flagger's RouteTable has no such route, so the
///   requests that do not match are not served by it).
public struct GlooRouter: TrafficRouter {
    let table: RoutingObject
    let upstreams: ResourceClient<JSONValue>
    let upstreamCache: ObjectCache<DynamicObject>
    let upstreamApplier: OwnedObjectApplier

    public static let routeTables = KubeResource(group: "gateway.solo.io", version: "v1", kind: "RouteTable", plural: "routetables", namespaced: true)
    public static let upstreamResource = KubeResource(group: "gloo.solo.io", version: "v1", kind: "Upstream", plural: "upstreams", namespaced: true)

    /// The `gloo` provider for ``RouterRegistry``: the RouteTables and Upstreams it owns.
    public static let registration = RouterRegistration(
        provider: .gloo,
        resources: [
            WatchedResource(routeTables, crd: "routetables.gateway.solo.io", owned: true),
            WatchedResource(upstreamResource, crd: "upstreams.gloo.solo.io", owned: true),
        ],
        validation: validation
    ) { client, caches, _ in
        GlooRouter(client: client, tables: caches[routeTables], upstreams: caches[upstreamResource])
    }

    public init(client: KubeClient, tables: ObjectCache<DynamicObject>, upstreams: ObjectCache<DynamicObject>) {
        table = RoutingObject(client: client, cache: tables, resource: GlooRouter.routeTables, carriesApexMetadata: true)
        self.upstreams = client.resource(GlooRouter.upstreamResource, as: JSONValue.self)
        upstreamCache = upstreams
        upstreamApplier = OwnedObjectApplier(client: self.upstreams, cache: upstreams, markers: OwnedObjectApplier.fluxMarkers)
    }

    /// Flagger's Gloo queries over Envoy's cluster statistics for the canary upstream (`<upstream>_<namespace>`).
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+",envoy_response_code!~"5.*"}[{{ interval }}])) \
            / sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+",}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=~"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+",}[{{ interval }}])) by (le))
            """,
        requestCount: """
            sum(increase(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+"}[{{ interval }}]))
            """)

    public var queries: BuiltinQueries { GlooRouter.queries }

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? { table.live(canary).flatMap { GlooRouter.weights(in: $0, canary: canary) } }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        var settings: JSONValue?
        if let reference = canary.spec.upstreamRef, let name = reference.name {
            let namespace = reference.namespace ?? canary.namespace
            guard let upstream = upstreamCache.get(namespace: namespace, name: name)?.json else {
                throw RouterError("upstream \(name).\(namespace) not found (spec.upstreamRef)", terminal: true)
            }
            settings = upstream["spec"]
        }
        for role in ["primary", "canary"] {
            _ = try await upstreamApplier.apply(
                namespace: canary.namespace, name: GlooRouter.upstreamName(canary, role), owner: upstreamApplier.owner(for: canary, owner)
            ) { live in
                GlooRouter.desiredUpstream(canary, role: role, settings: settings, live: live)
            }
        }
        try await table.apply(canary, owner: owner) { GlooRouter.desiredRouteTable(canary, live: $0) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        try await table.patch(canary, ["spec": ["routes": .array(GlooRouter.routes(canary, routes))]])
    }

    public func finalize(_ canary: Canary) async throws {
        try await table.restore(canary)
        for role in ["primary", "canary"] {
            try await upstreamApplier.restoreOrDelete(canary, namespace: canary.namespace, name: GlooRouter.upstreamName(canary, role))
        }
    }
}
