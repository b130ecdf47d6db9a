import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Kuma 2.x routing for a Canary (`provider: kuma` with the operator's `--kuma-policy MeshHTTPRoute`, Serin's
/// addition): Kuma replaced the TrafficRoute Flagger writes with targeted policies, so Serin writes the
/// MeshHTTPRoute `<svc>` (`kuma.io/v1alpha1`, in the Canary's namespace, labelled with its mesh) sending the
/// requests of every dataplane (`targetRef: {kind: Mesh}`) for the apex MeshService `<svc>` to `<svc>-primary`
/// and `<svc>-canary` by weight. The canary is judged by the same dataplane statistics as under TrafficRoute.
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Serin owns `spec.targetRef` and `spec.to`; other members of the MeshHTTPRoute survive.
public struct KumaMeshHTTPRouter: TrafficRouter {
    let route: RoutingObject

    public static let resource = KubeResource(
        group: "kuma.io", version: "v1alpha1", kind: "MeshHTTPRoute", plural: "meshhttproutes", namespaced: true)

    /// The `kuma` provider on MeshHTTPRoutes for ``RouterRegistry/enabled(meshProvider:settings:)``.
    public static let registration = RouterRegistration(
        provider: .kuma, resources: [WatchedResource(resource, crd: "meshhttproutes.kuma.io", owned: true)],
        rules: KumaRouter.policyRules, validation: KumaRouter.validation
    ) { client, caches, _ in
        KumaMeshHTTPRouter(client: client, cache: caches[resource])
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        route = RoutingObject(client: client, cache: cache, resource: KumaMeshHTTPRouter.resource, carriesApexMetadata: true)
    }

    public var queries: BuiltinQueries { KumaRouter.queries }

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? { route.live(canary).flatMap { KumaMeshHTTPRouter.weights(in: $0, canary: canary) } }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        try await route.apply(canary, owner: owner) { KumaMeshHTTPRouter.desiredMeshHTTPRoute(canary, live: $0) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        try await route.patch(canary, ["spec": ["to": KumaMeshHTTPRouter.to(canary, routes)]])
    }

    public func finalize(_ canary: Canary) async throws { try await route.restore(canary) }

    /// The MeshHTTPRoute `<svc>` Serin wants, from the live one (`nil`: none yet), keeping the live weights. Pure.
    public static func desiredMeshHTTPRoute(_ canary: Canary, live: JSONValue?) -> JSONValue {
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        var route = live ?? ["apiVersion": .string(resource.apiVersion), "kind": "MeshHTTPRoute"]
        if route[path: "metadata", "labels", "kuma.io/mesh"] == nil {
            route[path: "metadata", "labels", "kuma.io/mesh"] = .string(canary.metadata.annotations?["kuma.io/mesh"] ?? "default")
        }
        route[path: "spec", "targetRef"] = ["kind": "Mesh"]
        route[path: "spec", "to"] = to(canary, routes)
        return route
    }

    /// The labels selecting the MeshService Kuma generates for the Service `name` of the Canary's namespace.
    static func meshService(_ canary: Canary, _ name: String) -> JSONValue {
        ["kuma.io/display-name": .string(name), "k8s.kuma.io/namespace": .string(canary.namespace)]
    }

    /// Requests for the apex MeshService, on its port, split between the primary's and the canary's (referred to
    /// by labels, as Kuma's published CRD asks).
    static func to(_ canary: Canary, _ routes: Routes) -> JSONValue {
        let port = JSONValue.int(canary.spec.service?.port ?? 80)
        func backend(_ name: String, _ weight: Int) -> JSONValue {
            ["kind": "MeshService", "labels": meshService(canary, name), "port": port, "weight": .int(weight)]
        }
        let rule: JSONValue = [
            "matches": [["path": ["type": "PathPrefix", "value": "/"]]],
            "default": [
                "backendRefs": [backend("\(canary.serviceName)-primary", routes.primary), backend("\(canary.serviceName)-canary", routes.canary)]
            ],
        ]
        return [["targetRef": ["kind": "MeshService", "labels": meshService(canary, canary.serviceName)], "rules": [rule]]]
    }

    /// The weights of the primary's and the canary's backends; `nil` without the primary's.
    static func weights(in route: JSONValue, canary: Canary) -> Routes? {
        var routes = Routes(primary: 0, canary: 0), found = false
        let backends = route[path: "spec", "to"]?[0]?["rules"]?[0]?[path: "default", "backendRefs"]?.arrayValue ?? []
        for backend in backends {
            let weight = backend["weight"]?.intValue ?? 1
            let name = backend[path: "labels", "kuma.io/display-name"]?.stringValue
            if name == "\(canary.serviceName)-primary" { routes.primary = weight; found = true }
            if name == "\(canary.serviceName)-canary" { routes.canary = weight }
        }
        return found ? routes : nil
    }
}
