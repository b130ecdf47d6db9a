import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Gateway API routing for a Canary (`provider: gatewayapi:v1` or `gatewayapi:v1beta1`): the HTTPRoute `<svc>`
/// (the GRPCRoute `<svc>` for `service.appProtocol: grpc`),
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
    /// The GRPCRoutes, for Canaries with `service.appProtocol: grpc` (`v1` only: GRPCRoute is not in v1beta1).
    let grpcRoute: RoutingObject?
    let version: String

    public static func httpRoutes(_ version: String) -> KubeResource {
        KubeResource(group: "gateway.networking.k8s.io", version: version, kind: "HTTPRoute", plural: "httproutes", namespaced: true)
    }

    public static let grpcRoutes = KubeResource(
        group: "gateway.networking.k8s.io", version: "v1", kind: "GRPCRoute", plural: "grpcroutes", namespaced: true)

    /// The Gateway API provider at `version` (`v1` or `v1beta1`) for ``RouterRegistry``: the HTTPRoutes it owns,
    /// and with `v1` the GRPCRoutes (Gateway API v1.1 or later).
    public static func registration(_ provider: MeshProvider, version: String) -> RouterRegistration {
        var resources = [WatchedResource(httpRoutes(version), crd: "httproutes.gateway.networking.k8s.io", owned: true)]
        if version == "v1" { resources.append(WatchedResource(grpcRoutes, crd: "grpcroutes.gateway.networking.k8s.io", owned: true)) }
        return RouterRegistration(provider: provider, resources: resources, validation: validation(provider)) { client, caches, _ in
            GatewayAPIRouter(
                client: client, cache: caches[httpRoutes(version)], grpcCache: version == "v1" ? caches[grpcRoutes] : nil, version: version)
        }
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>, grpcCache: ObjectCache<DynamicObject>? = nil, version: String) {
        route = RoutingObject(client: client, cache: cache, resource: GatewayAPIRouter.httpRoutes(version), carriesApexMetadata: true)
        grpcRoute = grpcCache.map { RoutingObject(client: client, cache: $0, resource: GatewayAPIRouter.grpcRoutes) }
        self.version = version
    }

    /// The object routing `canary` and the route Serin wants of it (from the live one, at the given weights).
    func routing(_ canary: Canary) -> (object: RoutingObject, desired: @Sendable (JSONValue?, Routes?) -> JSONValue) {
        let version = version
        if GatewayAPIRouter.isGRPC(canary), let grpcRoute {
            return (grpcRoute, { GatewayAPIRouter.desiredGRPCRoute(canary, live: $0, routes: $1) })
        }
        return (route, { GatewayAPIRouter.desiredHTTPRoute(canary, live: $0, version: version, routes: $1) })
    }

    /// Flagger's queries for Gateway API: the application's own `http_request_duration_seconds` (its `HttpObserver`).
    public var queries: BuiltinQueries { NoMeshRouter.queries }

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? {
        routing(canary).object.live(canary).flatMap { GatewayAPIRouter.weights(in: $0, canary: canary) }
    }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        let (object, desired) = routing(canary)
        try await object.apply(canary, owner: owner) { desired($0, nil) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        let (object, desired) = routing(canary)
        try await object.patch(canary, ["spec": ["rules": desired(object.live(canary), routes)[path: "spec", "rules"] ?? []]])
    }

    public func finalize(_ canary: Canary) async throws { try await routing(canary).object.restore(canary) }
}
