import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Traefik routing for a Canary (`provider: traefik`), as Flagger does it: the TraefikService `<svc>`, a
/// weighted round robin over `<svc>-primary` and (while it gets traffic) `<svc>-canary`, which the user's
/// IngressRoute names as its service (`kind: TraefikService`).
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Serin owns `spec.weighted`; other members of the TraefikService survive.
/// - The canary is listed only while its weight is above 0, as Flagger writes it.
public struct TraefikRouter: TrafficRouter {
    let service: RoutingObject

    public static let resource = KubeResource(
        group: "traefik.io", version: "v1alpha1", kind: "TraefikService", plural: "traefikservices", namespaced: true)

    /// The `traefik` provider for ``RouterRegistry``: the TraefikServices it owns.
    public static let registration = RouterRegistration(
        provider: .traefik, resources: [WatchedResource(resource, crd: "traefikservices.traefik.io", owned: true)],
        validation: validation
    ) { client, caches, _ in
        TraefikRouter(client: client, cache: caches[resource])
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        service = RoutingObject(client: client, cache: cache, resource: TraefikRouter.resource, carriesApexMetadata: true)
    }

    /// Flagger's Traefik queries over Traefik's service histogram for the canary (`<ns>-<target>-canary-<port>@kubernetescrd`).
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(traefik_service_request_duration_seconds_bucket{service=~"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd",code!~"5..",le="+Inf"}[{{ interval }}])) \
            / sum(rate(traefik_service_request_duration_seconds_bucket{service=~"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd",le="+Inf"}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(traefik_service_request_duration_seconds_bucket{service=~"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd"}[{{ interval }}])) by (le)) * 1000
            """,
        requestCount: """
            sum(increase(traefik_service_request_duration_seconds_bucket{service=~"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd",le="+Inf"}[{{ interval }}]))
            """)

    public var queries: BuiltinQueries { TraefikRouter.queries }

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? { service.live(canary).flatMap { TraefikRouter.weights(in: $0, canary: canary) } }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        try await service.apply(canary, owner: owner) { TraefikRouter.desiredTraefikService(canary, live: $0) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        try await service.patch(canary, ["spec": ["weighted": ["services": TraefikRouter.weighted(canary, routes)]]])
    }

    public func finalize(_ canary: Canary) async throws { try await service.restore(canary) }

    /// The TraefikService `<svc>` Serin wants, from the live one (`nil`: none yet), keeping the live weights. Pure.
    public static func desiredTraefikService(_ canary: Canary, live: JSONValue?) -> JSONValue {
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        var service = live ?? ["apiVersion": .string(resource.apiVersion), "kind": "TraefikService"]
        service[path: "spec", "weighted", "services"] = weighted(canary, routes)
        return service
    }

    /// The primary with its weight, and the canary while its weight is above 0.
    static func weighted(_ canary: Canary, _ routes: Routes) -> JSONValue {
        func entry(_ name: String, _ weight: Int) -> JSONValue {
            ["name": .string(name), "namespace": .string(canary.namespace), "port": .int(canary.spec.service?.port ?? 80), "weight": .int(weight)]
        }
        var services = [entry("\(canary.serviceName)-primary", routes.primary)]
        if routes.canary > 0 { services.append(entry("\(canary.serviceName)-canary", routes.canary)) }
        return .array(services)
    }

    /// The weights of the weighted services; the canary's is 0 when it is not listed. `nil` without the primary.
    static func weights(in service: JSONValue, canary: Canary) -> Routes? {
        var routes = Routes(primary: 0, canary: 0), found = false
        for entry in service[path: "spec", "weighted", "services"]?.arrayValue ?? [] {
            let weight = entry["weight"]?.intValue ?? 1
            if entry["name"]?.stringValue == "\(canary.serviceName)-primary" { routes.primary = weight; found = true }
            if entry["name"]?.stringValue == "\(canary.serviceName)-canary" { routes.canary = weight }
        }
        return found ? routes : nil
    }
}
