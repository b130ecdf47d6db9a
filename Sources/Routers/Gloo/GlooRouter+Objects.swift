import CanaryAPI
import CanaryCore
import KubeCore

extension GlooRouter {
    /// `<ns>-<svc>-primaryupstream-<port>` or `<ns>-<svc>-canaryupstream-<port>`.
    static func upstreamName(_ canary: Canary, _ role: String) -> String {
        "\(canary.namespace)-\(canary.serviceName)-\(role)upstream-\(canary.spec.service?.port ?? 80)"
    }

    /// The settings of an `upstreamRef` Upstream that Flagger copies to its own.
    static let copiedSettings = [
        "labels", "sslConfig", "circuitBreakers", "connectionConfig", "loadBalancerConfig", "useHttp2",
        "initialStreamWindowSize", "initialConnectionWindowSize", "httpProxyHostName",
    ]

    /// The Upstream of the `-primary` or `-canary` Service, with `settings` (an Upstream's spec) copied. Pure.
    static func desiredUpstream(_ canary: Canary, role: String, settings: JSONValue?, live: JSONValue?) -> JSONValue {
        var upstream = live ?? ["apiVersion": .string(upstreamResource.apiVersion), "kind": "Upstream"]
        for key in copiedSettings { upstream[path: "spec", key] = settings?[key] }
        upstream[path: "spec", "kube"] = [
            "serviceName": .string("\(canary.serviceName)-\(role)"), "serviceNamespace": .string(canary.namespace),
            "servicePort": .int(canary.spec.service?.port ?? 80),
        ]
        return upstream
    }

    /// The RouteTable `<svc>` Serin wants, from the live one (`nil`: none yet), keeping the live weights. Pure.
    public static func desiredRouteTable(_ canary: Canary, live: JSONValue?) -> JSONValue {
        let current = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        var table = live ?? ["apiVersion": .string(routeTables.apiVersion), "kind": "RouteTable"]
        table[path: "spec", "routes"] = .array(routes(canary, current))
        return table
    }

    /// The weighted route (for A/B testing matching `analysis.match`, then a route to the primary).
    static func routes(_ canary: Canary, _ routes: Routes) -> [JSONValue] {
        func route(_ routes: Routes, matchers: [JSONValue]) -> JSONValue {
            var route: JSONValue = ["inheritablePathMatchers": true]
            if !matchers.isEmpty { route["matchers"] = .array(matchers) }
            let destinations: [JSONValue] = [("primary", routes.primary), ("canary", routes.canary)].map { role, weight in
                [
                    "destination": ["upstream": ["name": .string(upstreamName(canary, role)), "namespace": .string(canary.namespace)]],
                    "weight": .int(weight),
                ]
            }
            route["routeAction"] = ["multi": ["destinations": .array(destinations)]]
            return route
        }
        guard canary.strategy == .abTesting else { return [route(routes, matchers: [])] }
        let matchers = (canary.spec.analysis?.match ?? []).map(matcher)
        return [route(routes, matchers: matchers), route(.allPrimary, matchers: [])]
    }

    /// An `analysis.match` block as a Gloo matcher: its headers (`exact`, `regex`) and `method.exact`.
    static func matcher(_ block: JSONValue) -> JSONValue {
        var matcher: JSONValue = [:]
        let headers: [JSONValue] = (block["headers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, condition in
            if let exact = condition["exact"] { return ["name": .string(name), "value": exact] }
            if let regex = condition["regex"] { return ["name": .string(name), "value": regex, "regex": true] }
            return nil
        }
        if !headers.isEmpty { matcher["headers"] = .array(headers) }
        if let method = block[path: "method", "exact"] { matcher["methods"] = [method] }
        return matcher
    }

    /// The weights of the first route's destinations; `nil` without the primary upstream.
    static func weights(in table: JSONValue, canary: Canary) -> Routes? {
        var routes = Routes(primary: 0, canary: 0), found = false
        for destination in table[path: "spec", "routes"]?[0]?[path: "routeAction", "multi", "destinations"]?.arrayValue ?? [] {
            let name = destination[path: "destination", "upstream", "name"]?.stringValue
            let weight = destination["weight"]?.intValue ?? 0
            if name == upstreamName(canary, "primary") { routes.primary = weight; found = true }
            if name == upstreamName(canary, "canary") { routes.canary = weight }
        }
        return found ? routes : nil
    }
}
