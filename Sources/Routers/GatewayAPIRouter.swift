import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Gateway API routing for a Canary (`provider: gatewayapi:v1` or `gatewayapi:v1beta1`): the HTTPRoute `<svc>`,
/// attached to `service.gatewayRefs` for `service.hosts`, whose first rule splits traffic between the
/// `<svc>-primary` and `<svc>-canary` Services by backend weights.
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Serin owns `parentRefs`, `hostnames` and `rules`; other members of the HTTPRoute (and its metadata) survive.
/// - A/B testing: the first rule matches `analysis.match` (merged into each `service.match`) and goes to the
///   canary; a second rule sends every other request to the primary, as Flagger writes it.
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

    /// The weights of the first rule's backends, `nil` when it has neither of Serin's.
    static func weights(in route: JSONValue, canary: Canary) -> Routes? {
        guard let backends = route[path: "spec", "rules"]?[0]?["backendRefs"]?.arrayValue else { return nil }
        var routes = Routes(primary: 0, canary: 0)
        var found = false
        for backend in backends {
            let weight = backend["weight"]?.intValue ?? 1
            if backend["name"]?.stringValue == "\(canary.serviceName)-primary" { routes.primary = weight; found = true }
            if backend["name"]?.stringValue == "\(canary.serviceName)-canary" { routes.canary = weight; found = true }
        }
        return found ? routes : nil
    }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        try await applier.apply(namespace: canary.namespace, name: canary.serviceName, owner: owner) { live in
            GatewayAPIRouter.desiredHTTPRoute(canary, live: live, version: version)
        }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        guard let live = cache.get(namespace: canary.namespace, name: canary.serviceName)?.json,
              var rules = live[path: "spec", "rules"]?.arrayValue, !rules.isEmpty else {
            throw RouterError("httproute \(canary.serviceName).\(canary.namespace) not found")
        }
        rules[0]["backendRefs"] = GatewayAPIRouter.backends(canary, routes)
        _ = try await self.routes.patch(canary.serviceName, namespace: canary.namespace, patch: .merge(["spec": ["rules": .array(rules)]]))
    }

    public func finalize(_ canary: Canary) async throws {
        try await applier.restore(namespace: canary.namespace, name: canary.serviceName)
    }

    /// The HTTPRoute `<svc>` Serin wants, from the live one (`nil`: none yet), keeping the live weights. Pure.
    public static func desiredHTTPRoute(_ canary: Canary, live: JSONValue?, version: String = "v1") -> JSONValue {
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        let service = canary.spec.service ?? CanaryService()
        var route = live ?? ["apiVersion": .string("gateway.networking.k8s.io/\(version)"), "kind": "HTTPRoute"]
        route[path: "spec", "parentRefs"] = .array(service.gatewayRefs ?? [])
        route[path: "spec", "hostnames"] = (service.hosts ?? []).isEmpty ? nil : .array((service.hosts ?? []).map(JSONValue.string))
        let everything: JSONValue = ["path": ["type": "PathPrefix", "value": "/"]]
        let matches = (service.match ?? []).isEmpty ? [everything] : (service.match ?? []).map(match)
        var first: JSONValue = ["matches": .array(matches), "backendRefs": backends(canary, routes)]
        var rules: [JSONValue] = []
        if canary.strategy == .abTesting {
            let analysis = (canary.spec.analysis?.match ?? []).map(match)
            first["matches"] = .array(analysis.flatMap { block in
                matches.map { base in
                    var merged = base.objectValue ?? [:]
                    for (key, value) in block.objectValue ?? [:] { merged[key] = value }
                    return JSONValue.object(merged)
                }
            })
            rules = [first, ["matches": .array(matches), "backendRefs": [backend("\(canary.serviceName)-primary", 100, canary)]]]
        } else {
            rules = [first]
        }
        route[path: "spec", "rules"] = .array(rules)
        return route
    }

    static func backends(_ canary: Canary, _ routes: Routes) -> JSONValue {
        [backend("\(canary.serviceName)-primary", routes.primary, canary), backend("\(canary.serviceName)-canary", routes.canary, canary)]
    }

    /// A backend as the API server stores it (its defaults written), so a reconcile compares equal.
    static func backend(_ name: String, _ weight: Int, _ canary: Canary) -> JSONValue {
        var backend: JSONValue = ["group": "", "kind": "Service", "name": .string(name), "weight": .int(weight)]
        backend["port"] = canary.spec.service?.port.map { JSONValue.int($0) }
        return backend
    }

    /// An Istio-style `match` block (Flagger's `service.match` and `analysis.match`) as an HTTPRoute match:
    /// `uri` exact/prefix/regex as the path, `headers` and `queryParams` exact/regex, `method`.
    static func match(_ block: JSONValue) -> JSONValue {
        func kind(_ condition: JSONValue) -> (String, JSONValue)? {
            if let exact = condition["exact"] { return ("Exact", exact) }
            if let regex = condition["regex"] { return ("RegularExpression", regex) }
            return nil
        }
        var match: JSONObject = [:]
        if let uri = block["uri"] {
            for (field, type) in [("exact", "Exact"), ("prefix", "PathPrefix"), ("regex", "RegularExpression")] {
                if let value = uri[field] { match["path"] = .object(["type": .string(type), "value": value]) }
            }
        }
        let headers: [JSONValue] = (block["headers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, condition in
            kind(condition).map { ["name": .string(name), "type": .string($0.0), "value": $0.1] }
        }
        if !headers.isEmpty { match["headers"] = .array(headers) }
        let queries: [JSONValue] = (block["queryParams"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, condition in
            kind(condition).map { ["name": .string(name), "type": .string($0.0), "value": $0.1] }
        }
        if !queries.isEmpty { match["queryParams"] = .array(queries) }
        if let method = block[path: "method", "exact"] { match["method"] = method }
        if match["path"] == nil { match["path"] = ["type": "PathPrefix", "value": "/"] }
        return .object(match)
    }
}
