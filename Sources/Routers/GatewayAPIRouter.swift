import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Gateway API routing for a Canary (`provider: gatewayapi:v1` or `gatewayapi:v1beta1`): the HTTPRoute `<svc>`,
/// attached to `service.gatewayRefs` for `service.hosts`, whose weighted rule splits traffic between the
/// `<svc>-primary` and `<svc>-canary` Services by backend weights.
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Serin owns `parentRefs`, `hostnames` and its own rules (those sending to `-primary` or `-canary`); a rule
///   a user added that sends elsewhere is kept after Serin's, and other members of the HTTPRoute (and its
///   metadata) survive.
/// - The rules are one pure function of the Canary and the weights (``desiredHTTPRoute(_:live:version:routes:)``),
///   so a reconcile and a weight change write the same filters, timeouts and sticky rules.
public struct GatewayAPIRouter: TrafficRouter {
    let route: RoutingObject
    let version: String

    public static func httpRoutes(_ version: String) -> KubeResource {
        KubeResource(group: "gateway.networking.k8s.io", version: version, kind: "HTTPRoute", plural: "httproutes", namespaced: true)
    }

    /// The Gateway API provider at `version` (`v1` or `v1beta1`) for ``RouterRegistry``: the HTTPRoutes it owns.
    public static func registration(_ provider: MeshProvider, version: String) -> RouterRegistration {
        RouterRegistration(provider: provider,
                           resources: [WatchedResource(httpRoutes(version), crd: "httproutes.gateway.networking.k8s.io", owned: true)]) { client, caches in
            GatewayAPIRouter(client: client, cache: caches[httpRoutes(version)], version: version)
        }
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>, version: String) {
        route = RoutingObject(client: client, cache: cache, resource: GatewayAPIRouter.httpRoutes(version))
        self.version = version
    }

    /// Flagger's queries for Gateway API: the application's own `http_request_duration_seconds` (its `HttpObserver`).
    public var queries: BuiltinQueries { NoMeshRouter.queries }

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? { route.live(canary).flatMap { GatewayAPIRouter.weights(in: $0, canary: canary) } }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        try await route.apply(canary, owner: owner) { GatewayAPIRouter.desiredHTTPRoute(canary, live: $0, version: version) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        let desired = GatewayAPIRouter.desiredHTTPRoute(canary, live: route.live(canary), version: version, routes: routes)
        try await route.patch(canary, ["spec": ["rules": desired[path: "spec", "rules"] ?? []]])
    }

    public func finalize(_ canary: Canary) async throws { try await route.restore(canary) }
}
