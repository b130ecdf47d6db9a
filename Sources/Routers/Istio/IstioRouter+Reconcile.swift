import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

extension IstioRouter {
    /// The weighted destinations: `-primary` and `-canary`, and `-baseline` or `-previous` while it has weight
    /// (an analysis with `analysis.baseline`, a failed bake's rollback; a missing destination reads as weight 0).
    static func destinations(_ canary: Canary, _ routes: Routes) -> JSONValue {
        let port = canary.spec.service?.port.map { JSONValue.int($0) }
        func destination(_ host: String, _ weight: Int) -> JSONValue {
            var entry: JSONValue = ["destination": ["host": .string(host)], "weight": .int(weight)]
            if let port, canary.spec.service?.gateways?.contains(where: { $0 != "mesh" }) == true {
                entry[path: "destination", "port"] = ["number": port]
            }
            return entry
        }
        var all = [destination("\(canary.serviceName)-primary", routes.primary), destination("\(canary.serviceName)-canary", routes.canary)]
        if routes.baseline > 0 { all.append(destination(canary.baselineServiceName, routes.baseline)) }
        if routes.previous > 0 { all.append(destination(canary.previousServiceName, routes.previous)) }
        return .array(all)
    }

    /// The members of the VirtualService spec Serin owns, for the given weights.
    static func desiredSpec(_ canary: Canary, routes: Routes) -> (hosts: JSONValue, gateways: JSONValue, route: JSONObject) {
        let service = canary.spec.service ?? CanaryService()
        var hosts = service.hosts ?? []
        if !hosts.contains(canary.serviceName) && !hosts.contains("*") { hosts.append(canary.serviceName) }
        let gateways = (service.gateways ?? []).isEmpty ? ["mesh"] : service.gateways!
        var route = JSONObject()
        let match = firstRouteMatch(canary)
        if !match.isEmpty { route["match"] = .array(match) }
        // `rewrite.type` is the Gateway API path modifier; Istio's rewrite has no such field (Flagger drops it too).
        route["rewrite"] = service.rewrite.map { rewrite in
            var rewrite = rewrite; rewrite["type"] = nil; return rewrite
        }
        route["timeout"] = service.timeout.map(JSONValue.string)
        route["retries"] = service.retries
        route["headers"] = service.headers
        route["corsPolicy"] = service.corsPolicy
        route["route"] = destinations(canary, routes)
        if service.delegation == true { return ([], [], route) }  // a delegate: the root VirtualService has the hosts and gateways
        return (.array(hosts.map(JSONValue.string)), .array(gateways.map(JSONValue.string)), route)
    }

    /// The VirtualService `<svc>` Serin wants, from the live one (`nil`: none yet). Pure.
    ///
    /// Serin owns `hosts`, `gateways` and the members of the first HTTP route listed in
    /// ``ownedRouteFields``; for A/B testing also a second route, the default one, sending every request
    /// that does not match to the primary. The live weights are kept (only ``setRoutes(_:_:)`` moves
    /// traffic), and every other member, route and field is carried through.
    public static func desiredVirtualService(_ canary: Canary, live: JSONValue?) -> JSONValue {
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        if routeKind(canary) == "tcp" { return desiredTCPVirtualService(canary, routes: routes, live: live) }
        let desired = desiredSpec(canary, routes: routes)
        var service = live ?? ["apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService"]
        var http = withoutLeadingRoutes(service[path: "spec", "http"]?.arrayValue ?? [], canary: canary)
        var first = http.first?.objectValue ?? [:]
        for field in IstioRouter.ownedRouteFields { first[field] = desired.route[field] }
        if http.isEmpty { http = [.object(first)] } else { http[0] = .object(first) }
        let hasDefault = http.count > 1 && isDefaultRoute(http[1], canary: canary)
        if canary.strategy == .abTesting {
            var fallback = hasDefault ? http[1].objectValue ?? [:] : [:]
            for field in IstioRouter.ownedRouteFields { fallback[field] = desired.route[field] }
            fallback["match"] = (canary.spec.service?.match ?? []).isEmpty ? nil : .array(canary.spec.service?.match ?? [])
            var primary = destinations(canary, .allPrimary)[0] ?? [:]
            primary["weight"] = 100
            fallback["route"] = [primary]
            if hasDefault { http[1] = .object(fallback) } else { http.insert(.object(fallback), at: 1) }
        } else if hasDefault {
            http.remove(at: 1)  // the default route of an A/B test that is over
        }
        service[path: "spec", "hosts"] = desired.hosts
        service[path: "spec", "gateways"] = desired.gateways
        service[path: "spec", "http"] = .array(stepRoutes(canary, routes) + withStickyRoute(http, canary: canary, routes: routes))
        return service
    }

    /// `appProtocol: tcp`: one weighted `tcp` route (matching `service.match[].port`), no HTTP route of
    /// Serin's. Other TCP routes and a user's HTTP routes are kept.
    static func desiredTCPVirtualService(_ canary: Canary, routes: Routes, live: JSONValue?) -> JSONValue {
        let desired = desiredSpec(canary, routes: routes)
        var service = live ?? ["apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService"]
        var tcp = service[path: "spec", "tcp"]?.arrayValue ?? []
        var first = tcp.first?.objectValue ?? [:]
        let ports = (canary.spec.service?.match ?? []).compactMap { $0["port"] }
        first["match"] = ports.isEmpty ? nil : .array(ports.map { ["port": $0] })
        first["route"] = desired.route["route"]
        if tcp.isEmpty { tcp = [.object(first)] } else { tcp[0] = .object(first) }
        let ours = Set([
            "\(canary.serviceName)-primary", "\(canary.serviceName)-canary", canary.baselineServiceName, canary.previousServiceName,
        ])
        let http = (service[path: "spec", "http"]?.arrayValue ?? []).filter { route in
            !(route["route"]?.arrayValue ?? []).allSatisfy { ours.contains($0[path: "destination", "host"]?.stringValue ?? "") }
        }
        service[path: "spec", "hosts"] = desired.hosts
        service[path: "spec", "gateways"] = desired.gateways
        service[path: "spec", "http"] = http.isEmpty ? nil : .array(http)
        service[path: "spec", "tcp"] = .array(tcp)
        return service
    }

    /// Whether `route` is the default route of an A/B test: one destination, the primary.
    static func isDefaultRoute(_ route: JSONValue, canary: Canary) -> Bool {
        guard let destinations = route["route"]?.arrayValue, destinations.count == 1 else { return false }
        return destinations[0][path: "destination", "host"]?.stringValue == "\(canary.serviceName)-primary"
    }

    /// The first route's match: `service.match`, or for A/B testing each `analysis.match` block merged
    /// into each `service.match` block (the analysis block's members win), ORed.
    static func firstRouteMatch(_ canary: Canary) -> [JSONValue] {
        let service = canary.spec.service?.match ?? []
        guard canary.strategy == .abTesting else { return service }
        let analysis = canary.spec.analysis?.match ?? []
        guard !service.isEmpty else { return analysis }
        return analysis.flatMap { block in
            service.map { base in
                var merged = base.objectValue ?? [:]
                for (key, value) in block.objectValue ?? [:] { merged[key] = value }
                return JSONValue.object(merged)
            }
        }
    }

    /// The DestinationRule for `host` (`<svc>-primary` or `<svc>-canary`), from the live one. Pure.
    /// Serin owns `host` and `trafficPolicy` (from `service.trafficPolicy`; removed when unset).
    public static func desiredDestinationRule(_ canary: Canary, host: String, live: JSONValue?) -> JSONValue {
        var rule = live ?? ["apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule"]
        rule[path: "spec", "host"] = .string(host)
        if let policy = canary.spec.service?.trafficPolicy {
            rule[path: "spec", "trafficPolicy"] = policy
        } else if rule[path: "spec", "trafficPolicy"] != nil {
            rule[path: "spec", "trafficPolicy"] = nil
        }
        return rule
    }

    func reconcileVirtualService(_ canary: Canary, owner: OwnerReference) async throws {
        try await virtualServiceApplier.apply(
            namespace: canary.namespace, name: canary.serviceName, owner: virtualServiceApplier.owner(for: canary, owner)
        ) { live in
            var service = IstioRouter.desiredVirtualService(canary, live: live)
            RoutingObject.writeApexMetadata(canary, into: &service)
            return service
        }
    }

    func reconcileDestinationRule(_ canary: Canary, host: String, owner: OwnerReference) async throws {
        try await destinationRuleApplier.apply(namespace: canary.namespace, name: host, owner: destinationRuleApplier.owner(for: canary, owner)) {
            live in
            IstioRouter.desiredDestinationRule(canary, host: host, live: live)
        }
    }
}
