import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

extension IstioRouter {
    static func destinations(_ canary: Canary, _ routes: Routes) -> JSONValue {
        let port = canary.spec.service?.port.map { JSONValue.int($0) }
        func destination(_ host: String, _ weight: Int) -> JSONValue {
            var entry: JSONValue = ["destination": ["host": .string(host)], "weight": .int(weight)]
            if let port, canary.spec.service?.gateways?.contains(where: { $0 != "mesh" }) == true { entry[path: "destination", "port"] = ["number": port] }
            return entry
        }
        return [destination("\(canary.serviceName)-primary", routes.primary), destination("\(canary.serviceName)-canary", routes.canary)]
    }

    /// The members of the VirtualService spec Serin owns, for the given weights.
    static func desiredSpec(_ canary: Canary, routes: Routes) -> (hosts: JSONValue, gateways: JSONValue, route: JSONObject) {
        let service = canary.spec.service ?? CanaryService()
        var hosts = service.hosts ?? []
        if !hosts.contains(canary.serviceName) && !hosts.contains("*") { hosts.append(canary.serviceName) }
        let gateways = (service.gateways ?? []).isEmpty ? ["mesh"] : service.gateways!
        var route = JSONObject()
        if let match = service.match, !match.isEmpty { route["match"] = .array(match) }
        route["rewrite"] = service.rewrite
        route["timeout"] = service.timeout.map(JSONValue.string)
        route["retries"] = service.retries
        route["headers"] = service.headers
        route["corsPolicy"] = service.corsPolicy
        route["route"] = destinations(canary, routes)
        return (.array(hosts.map(JSONValue.string)), .array(gateways.map(JSONValue.string)), route)
    }

    /// The VirtualService `<svc>` Serin wants, from the live one (`nil`: none yet). Pure.
    ///
    /// Serin owns `hosts`, `gateways` and the members of the first HTTP route listed in
    /// ``ownedRouteFields``; the live weights are kept (only ``setRoutes(_:_:)`` moves traffic), and
    /// every other member, route and field is carried through.
    public static func desiredVirtualService(_ canary: Canary, live: JSONValue?) -> JSONValue {
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        let desired = desiredSpec(canary, routes: routes)
        var service = live ?? ["apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService"]
        var http = service[path: "spec", "http"]?.arrayValue ?? []
        var first = http.first?.objectValue ?? [:]
        for field in IstioRouter.ownedRouteFields { first[field] = desired.route[field] }
        if http.isEmpty { http = [.object(first)] } else { http[0] = .object(first) }
        service[path: "spec", "hosts"] = desired.hosts
        service[path: "spec", "gateways"] = desired.gateways
        service[path: "spec", "http"] = .array(http)
        return service
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
        try await virtualServiceApplier.apply(namespace: canary.namespace, name: canary.serviceName, owner: owner) { live in
            IstioRouter.desiredVirtualService(canary, live: live)
        }
    }

    func reconcileDestinationRule(_ canary: Canary, host: String, owner: OwnerReference) async throws {
        try await destinationRuleApplier.apply(namespace: canary.namespace, name: host, owner: owner) { live in
            IstioRouter.desiredDestinationRule(canary, host: host, live: live)
        }
    }
}
