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
    let routes: ResourceClient<JSONValue>
    let cache: ObjectCache<DynamicObject>
    let applier: OwnedObjectApplier
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
        self.routes = client.resource(GatewayAPIRouter.httpRoutes(version), as: JSONValue.self)
        self.cache = cache
        self.applier = OwnedObjectApplier(client: self.routes, cache: cache)
        self.version = version
    }

    /// Flagger's queries for Gateway API: the application's own `http_request_duration_seconds` (its `HttpObserver`).
    public var queries: BuiltinQueries { NoMeshRouter.queries }

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? {
        guard let route = cache.get(namespace: canary.namespace, name: canary.serviceName)?.json else { return nil }
        return GatewayAPIRouter.weights(in: route, canary: canary)
    }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        try await applier.apply(namespace: canary.namespace, name: canary.serviceName, owner: owner) { live in
            GatewayAPIRouter.desiredHTTPRoute(canary, live: live, version: version)
        }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        guard let live = cache.get(namespace: canary.namespace, name: canary.serviceName)?.json else {
            throw RouterError("httproute \(canary.serviceName).\(canary.namespace) not found")
        }
        let desired = GatewayAPIRouter.desiredHTTPRoute(canary, live: live, version: version, routes: routes)
        _ = try await self.routes.patch(canary.serviceName, namespace: canary.namespace,
                                        patch: .merge(["spec": ["rules": desired[path: "spec", "rules"] ?? []]]))
    }

    public func finalize(_ canary: Canary) async throws {
        try await applier.restore(namespace: canary.namespace, name: canary.serviceName)
    }
}
