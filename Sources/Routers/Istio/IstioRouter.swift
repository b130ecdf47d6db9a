import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Istio routing for a Canary: DestinationRules `<svc>-primary` and `<svc>-canary`, and the VirtualService
/// `<svc>` whose first HTTP route splits traffic between them.
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Fields Serin does not own survive: unknown members of the VirtualService and of its first route (for
///   example `http[].fault`), and any further routes, are kept as they are.
public struct IstioRouter: TrafficRouter {
    public static let virtualServices = KubeResource(
        group: "networking.istio.io", version: "v1beta1", kind: "VirtualService",
        plural: "virtualservices", namespaced: true)
    public static let destinationRules = KubeResource(
        group: "networking.istio.io", version: "v1beta1", kind: "DestinationRule",
        plural: "destinationrules", namespaced: true)
    /// The members of the first HTTP route that Serin writes.
    static let ownedRouteFields = ["match", "rewrite", "timeout", "retries", "headers", "corsPolicy", "route"]

    let virtualServices: ResourceClient<JSONValue>
    let destinationRules: ResourceClient<JSONValue>
    let virtualServiceCache: ObjectCache<DynamicObject>
    let destinationRuleCache: ObjectCache<DynamicObject>
    let virtualServiceApplier: OwnedObjectApplier
    let destinationRuleApplier: OwnedObjectApplier

    /// Istio for ``RouterRegistry``: the VirtualServices and DestinationRules it owns.
    public static let registration = RouterRegistration(
        provider: .istio,
        resources: [
            WatchedResource(virtualServices, crd: "virtualservices.networking.istio.io", owned: true),
            WatchedResource(destinationRules, crd: "destinationrules.networking.istio.io", owned: true),
        ],
        validation: validation
    ) { client, caches, _ in
        IstioRouter(client: client, virtualServices: caches[virtualServices], destinationRules: caches[destinationRules])
    }

    /// Flagger's built-in queries over Istio's standard metrics (`istio_requests_total`, a histogram in ms).
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}",response_code!~"5.*"}[{{ interval }}])) \
            / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) by (le))
            """,
        requestCount: """
            sum(increase(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}]))
            """)

    public var queries: BuiltinQueries { IstioRouter.queries }

    public var splitsTraffic: Bool { true }

    public init(client: KubeClient, virtualServices: ObjectCache<DynamicObject>, destinationRules: ObjectCache<DynamicObject>) {
        self.virtualServices = client.resource(IstioRouter.virtualServices, as: JSONValue.self)
        self.destinationRules = client.resource(IstioRouter.destinationRules, as: JSONValue.self)
        self.virtualServiceCache = virtualServices
        self.destinationRuleCache = destinationRules
        self.virtualServiceApplier = OwnedObjectApplier(client: self.virtualServices, cache: virtualServices, markers: OwnedObjectApplier.fluxMarkers)
        self.destinationRuleApplier = OwnedObjectApplier(
            client: self.destinationRules, cache: destinationRules, markers: OwnedObjectApplier.fluxMarkers)
    }

    /// The live weights, `nil` when the VirtualService does not exist yet.
    public func routes(_ canary: Canary) -> Routes? {
        guard let service = virtualServiceCache.get(namespace: canary.namespace, name: canary.serviceName)?.json else { return nil }
        return IstioRouter.weights(in: service, canary: canary)
    }

    static func weights(in service: JSONValue, canary: Canary) -> Routes? {
        let http = service[path: "spec", routeKind(canary)]?.arrayValue ?? []
        let all = withoutLeadingRoutes(http, canary: canary)
        guard let route = all.first?["route"]?.arrayValue else { return nil }
        var routes = Routes(primary: 0, canary: 0)
        var found = false
        for destination in route {
            let host = destination[path: "destination", "host"]?.stringValue ?? ""
            let weight = destination["weight"]?.intValue ?? (route.count == 1 ? 100 : 0)
            if host == "\(canary.serviceName)-primary" { routes.primary = weight; found = true }
            if host == "\(canary.serviceName)-canary" { routes.canary = weight; found = true }
            if host == canary.baselineServiceName { routes.baseline = weight }
            if host == canary.previousServiceName { routes.previous = weight }
        }
        routes.mirrored = all.first?[path: "mirror", "host"]?.stringValue == "\(canary.serviceName)-canary"
        // A route to neither (a VirtualService being adopted) has no Serin weights yet.
        guard found else { return nil }
        if routeKind(canary) == "http" { (routes.headerRoutes, routes.mirrorRoutes) = liveStepRoutes(http, canary: canary, weights: routes) }
        return routes
    }

    /// Creates or corrects the DestinationRules (`<svc>-baseline`'s too with `analysis.baseline`) and the
    /// VirtualService.
    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        for host in IstioRouter.destinationHosts(canary) { try await reconcileDestinationRule(canary, host: host, owner: owner) }
        try await reconcileVirtualService(canary, owner: owner)
    }

    /// Moves traffic.
    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        let kind = IstioRouter.routeKind(canary)
        guard let service = virtualServiceCache.get(namespace: canary.namespace, name: canary.serviceName)?.json,
            let first = IstioRouter.routed(service, canary: canary, routes: routes)
        else {
            throw RouterError("virtualservice \(canary.serviceName).\(canary.namespace) not found")
        }
        try await virtualServices.patchReadingVersion(canary.serviceName, namespace: canary.namespace, patch: .merge(["spec": [kind: first]]))
    }

    /// The routes (`http` or `tcp`) of `service` with the first one's weights set to `routes`, and its
    /// `mirror` to the canary (with `mirrorPercentage` from `mirrorWeight`) set or, when it is Serin's,
    /// removed; ahead of it the script's header and mirror routes in force. Pure; `nil` when the
    /// VirtualService has no route yet.
    public static func routed(_ service: JSONValue, canary: Canary, routes: Routes) -> JSONValue? {
        guard var all = service[path: "spec", routeKind(canary)]?.arrayValue.map({ withoutLeadingRoutes($0, canary: canary) }), !all.isEmpty
        else { return nil }
        var first = all[0].objectValue ?? [:]
        first["route"] = destinations(canary, routes)
        if routes.mirrored {
            first["mirror"] = ["host": .string("\(canary.serviceName)-canary")]
            let weight = canary.spec.analysis?.mirrorWeight ?? 0
            first["mirrorPercentage"] = weight > 0 ? ["value": .int(weight)] : nil
        } else if first["mirror"]?["host"]?.stringValue == "\(canary.serviceName)-canary" {
            first["mirror"] = nil  // Serin's mirror; a user's mirror elsewhere stays
            first["mirrorPercentage"] = nil
        }
        all[0] = .object(first)
        return .array(routeKind(canary) == "http" ? stepRoutes(canary, routes) + withStickyRoute(all, canary: canary, routes: routes) : all)
    }

    /// `tcp` for `service.appProtocol: tcp` (weighted TCP routes), else `http`.
    static func routeKind(_ canary: Canary) -> String { canary.spec.service?.appProtocol?.lowercased() == "tcp" ? "tcp" : "http" }

    /// Gives back what Serin adopted: a VirtualService or DestinationRule that existed before the Canary is
    /// restored from its recorded original. Those Serin created are owned by the Canary and go with it.
    public func finalize(_ canary: Canary) async throws {
        try await virtualServiceApplier.restoreOrDelete(canary, namespace: canary.namespace, name: canary.serviceName)
        for host in IstioRouter.destinationHosts(canary) {
            try await destinationRuleApplier.restoreOrDelete(canary, namespace: canary.namespace, name: host)
        }
    }

    /// The hosts Serin writes a DestinationRule for: `<svc>-primary`, `<svc>-canary`, and with
    /// `analysis.baseline` `<svc>-baseline`, with `analysis.bake.keepPrevious` `<svc>-previous` (kept between
    /// analyses, like the canary's; the Canary owns them).
    static func destinationHosts(_ canary: Canary) -> [String] {
        ["\(canary.serviceName)-primary", "\(canary.serviceName)-canary"]
            + (canary.spec.analysis?.runsBaseline == true ? [canary.baselineServiceName] : [])
            + (canary.spec.analysis?.bake?.keepPrevious == true ? [canary.previousServiceName] : [])
    }
}

/// A routing object that cannot be handled.
public struct RouterError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Whether waiting cannot help until the user changes an object the Canary names (a missing
    /// `ingressRef`): the Canary is `Valid=False` and the change reconciles it. Otherwise it is retried.
    public var terminal: Bool
    public init(_ message: String, terminal: Bool = false) {
        self.message = message
        self.terminal = terminal
    }
    public var description: String { message }
}
