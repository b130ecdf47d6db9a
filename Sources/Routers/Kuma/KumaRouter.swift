import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Kuma routing for a Canary (`provider: kuma`), as Flagger does it: the cluster-scoped TrafficRoute `<svc>`
/// (`kuma.io/v1alpha1`) in the mesh the Canary's `kuma.io/mesh` annotation names (else `default`), from every
/// source (`kuma.io/service: "*"`) to the apex `<svc>_<ns>_svc_<port>`, split between
/// `<svc>-primary_<ns>_svc_<port>` and `<svc>-canary_<ns>_svc_<port>` by weight. It carries the apex
/// Service's labels and annotations (`service.apex`), as Flagger's does.
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Serin owns `spec.sources`, `spec.destinations` and `spec.conf.split`; other members survive, and `mesh`
///   is set when the TrafficRoute is created.
/// - A namespaced Canary cannot own a cluster-scoped object: the TrafficRoute names it by
///   ``KubeRuntime/OwnedObjectApplier/ownerAnnotation`` and is not garbage-collected. Finalization
///   (`revertOnDeletion`) deletes Serin's own and restores an adopted one; without it the TrafficRoute stays,
///   as Flagger leaves it.
public struct KumaRouter: TrafficRouter {
    let route: RoutingObject

    public static let resource = KubeResource(group: "kuma.io", version: "v1alpha1", kind: "TrafficRoute", plural: "trafficroutes", namespaced: false)

    /// The `kuma` provider for ``RouterRegistry``: the TrafficRoutes it owns (and deletes on finalization).
    public static let registration = RouterRegistration(
        provider: .kuma, resources: [WatchedResource(resource, crd: "trafficroutes.kuma.io", owned: true)],
        rules: policyRules, validation: validation
    ) { client, caches, _ in
        KumaRouter(client: client, cache: caches[resource])
    }

    /// What either Kuma policy needs (one chart grant serves `--kuma-policy TrafficRoute` and `MeshHTTPRoute`):
    /// the TrafficRoutes and MeshHTTPRoutes listed, watched, created, patched, and deleted on finalization.
    public static let policyRules = [
        PolicyRule(resource, verbs: ["list", "watch", "create", "patch", "delete"]),
        PolicyRule(KumaMeshHTTPRouter.resource, verbs: ["list", "watch", "create", "patch", "delete"]),
    ]

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        route = RoutingObject(client: client, cache: cache, resource: KumaRouter.resource)
    }

    /// Flagger's Kuma queries over the canary's Envoy `envoy_cluster_upstream_rq` and the P99 of
    /// `envoy_cluster_upstream_rq_time_bucket` (ms), by the `service` tag `<target>-canary_<ns>_svc_<port>`.
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(envoy_cluster_upstream_rq{service=~"{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+",envoy_response_code!~"5.*"}[{{ interval }}])) \
            / sum(rate(envoy_cluster_upstream_rq{service=~"{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+",}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(envoy_cluster_upstream_rq_time_bucket{service=~"{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+",}[{{ interval }}])) by (le))
            """)

    public var queries: BuiltinQueries { KumaRouter.queries }

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? { route.live(canary).flatMap { KumaRouter.weights(in: $0, canary: canary) } }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        try await route.apply(canary, owner: owner) { KumaRouter.desiredTrafficRoute(canary, live: $0) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        try await route.patch(canary, ["spec": ["conf": ["split": KumaRouter.split(canary, routes)]]])
    }

    public func finalize(_ canary: Canary) async throws {
        try await route.restore(canary)
        try await route.deleteOwned(canary)
    }

    /// The TrafficRoute `<svc>` Serin wants, from the live one (`nil`: none yet), keeping the live weights. Pure.
    public static func desiredTrafficRoute(_ canary: Canary, live: JSONValue?) -> JSONValue {
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        var route = live ?? ["apiVersion": .string(resource.apiVersion), "kind": "TrafficRoute"]
        if route["mesh"] == nil { route["mesh"] = .string(canary.metadata.annotations?["kuma.io/mesh"] ?? "default") }
        RoutingObject.writeApexMetadata(canary, into: &route)
        route[path: "spec", "sources"] = [["match": ["kuma.io/service": "*"]]]
        route[path: "spec", "destinations"] = [["match": ["kuma.io/service": .string(tag(canary, canary.serviceName))]]]
        route[path: "spec", "conf", "split"] = split(canary, routes)
        return route
    }

    /// Kuma's `kuma.io/service` tag of the Service `name`: `<name>_<namespace>_svc_<port>`.
    static func tag(_ canary: Canary, _ name: String) -> String { "\(name)_\(canary.namespace)_svc_\(canary.spec.service?.port ?? 80)" }

    /// Flagger's order: the primary, then the canary (listed at 0 too).
    static func split(_ canary: Canary, _ routes: Routes) -> JSONValue {
        [
            ["weight": .int(routes.primary), "destination": ["kuma.io/service": .string(tag(canary, "\(canary.serviceName)-primary"))]],
            ["weight": .int(routes.canary), "destination": ["kuma.io/service": .string(tag(canary, "\(canary.serviceName)-canary"))]],
        ]
    }

    /// The split's weights, by the Service named before the tag's first `_`; `nil` without the primary's.
    static func weights(in route: JSONValue, canary: Canary) -> Routes? {
        var routes = Routes(primary: 0, canary: 0), found = false
        for entry in route[path: "spec", "conf", "split"]?.arrayValue ?? [] {
            let service = entry[path: "destination", "kuma.io/service"]?.stringValue?.split(separator: "_").first.map(String.init)
            let weight = entry["weight"]?.intValue ?? 0
            if service == "\(canary.serviceName)-primary" { routes.primary = weight; found = true }
            if service == "\(canary.serviceName)-canary" { routes.canary = weight }
        }
        return found ? routes : nil
    }
}
