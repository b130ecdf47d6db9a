import CanaryAPI
import CanaryCore
import Foundation
import KubeCore

extension ContourRouter {
    /// The HTTPProxy `<svc>` Serin wants, from the live one (`nil`: none yet), keeping the live weights, with
    /// `ingressClass` as its `ingressClassName` when set. Pure.
    public static func desiredHTTPProxy(_ canary: Canary, live: JSONValue?, ingressClass: String? = nil) -> JSONValue {
        let current = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        var proxy = live ?? ["apiVersion": .string(resource.apiVersion), "kind": "HTTPProxy"]
        proxy[path: "spec", "routes"] = .array(routes(canary, current))
        if let ingressClass, !ingressClass.isEmpty { proxy[path: "spec", "ingressClassName"] = .string(ingressClass) }
        return proxy
    }

    /// Serin's routes at `routes`: the weighted route under `service.match[0].uri.prefix` (else `/`); for A/B
    /// testing one weighted route per `analysis.match` block, then the default one to the primary.
    static func routes(_ canary: Canary, _ routes: Routes) -> [JSONValue] {
        let prefix: JSONValue = ["prefix": .string(self.prefix(canary))]
        guard canary.strategy == .abTesting else { return [route(canary, conditions: [prefix], routes)] }
        let blocks = (canary.spec.analysis?.match ?? []).map { block in
            route(canary, conditions: [prefix] + headerConditions(block), routes)
        }
        return blocks + [route(canary, conditions: [prefix], .allPrimary)]
    }

    static func prefix(_ canary: Canary) -> String {
        canary.spec.service?.match?.first?[path: "uri", "prefix"]?.stringValue ?? "/"
    }

    /// One route of Serin's: its conditions, the Canary's timeout and retry policies, the two Services.
    static func route(_ canary: Canary, conditions: [JSONValue], _ routes: Routes) -> JSONValue {
        let service = canary.spec.service ?? CanaryService()
        var route: JSONValue = ["conditions": .array(conditions)]
        if let timeout = service.timeout, !timeout.isEmpty { route["timeoutPolicy"] = ["response": .string(timeout), "idle": "5m"] }
        if let retries = service.retries {
            var policy: JSONValue = [:]
            policy["count"] = retries["attempts"]
            policy["perTryTimeout"] = retries["perTryTimeout"]
            if let retryOn = retries["retryOn"]?.stringValue {
                policy["retryOn"] = .array(retryOn.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
            }
            route["retryPolicy"] = policy
        }
        route["services"] = [
            backend(canary, "\(canary.serviceName)-primary", routes.primary),
            backend(canary, "\(canary.serviceName)-canary", routes.canary),
        ]
        return route
    }

    /// A Service of a route with its weight and Flagger's `l5d-dst-override` (Linkerd behind Contour).
    static func backend(_ canary: Canary, _ name: String, _ weight: Int) -> JSONValue {
        let port = canary.spec.service?.port ?? 80
        return [
            "name": .string(name), "port": .int(port), "weight": .int(weight),
            "requestHeadersPolicy": [
                "set": [["name": "l5d-dst-override", "value": .string("\(name).\(canary.namespace).svc.cluster.local:\(port)")]]
            ],
        ]
    }

    /// An `analysis.match` block's headers as Contour header conditions: `exact`, and `prefix` or `suffix` as
    /// `contains` (Flagger's mapping; Contour has no prefix match), sorted by name.
    static func headerConditions(_ block: JSONValue) -> [JSONValue] {
        (block["headers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, condition in
            if let exact = condition["exact"] { return ["header": ["name": .string(name), "exact": exact]] }
            if let contains = condition["prefix"] ?? condition["suffix"] { return ["header": ["name": .string(name), "contains": contains]] }
            return nil
        }
    }

    /// The weights of the first route's Services; `nil` when it has neither of Serin's.
    static func weights(in proxy: JSONValue, canary: Canary) -> Routes? {
        guard let services = proxy[path: "spec", "routes"]?[0]?["services"]?.arrayValue else { return nil }
        var routes = Routes(primary: 0, canary: 0), found = false
        for service in services {
            let weight = service["weight"]?.intValue ?? 0
            if service["name"]?.stringValue == "\(canary.serviceName)-primary" { routes.primary = weight; found = true }
            if service["name"]?.stringValue == "\(canary.serviceName)-canary" { routes.canary = weight; found = true }
        }
        return found ? routes : nil
    }
}
