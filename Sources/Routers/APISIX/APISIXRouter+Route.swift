import CanaryAPI
import CanaryCore
import KubeCore

extension APISIXRouter {
    /// The HTTP route of the user's ApisixRoute whose one backend is `service`; `nil` when there is none.
    static func httpRoute(sendingTo service: String, in route: JSONValue) -> JSONValue? {
        (route[path: "spec", "http"]?.arrayValue ?? []).first { http in
            let backends = http["backends"]?.arrayValue ?? []
            return backends.count == 1 && backends[0]["serviceName"]?.stringValue == service
        }
    }

    /// The canary ApisixRoute Serin wants: the user's labels and annotations, and one HTTP route, the user's `http`
    /// at priority 10000 with the primary and canary backends at the live weights (all on the primary at first). Pure.
    static func desiredCanaryRoute(_ canary: Canary, user: JSONValue, http: JSONValue, live: JSONValue?) -> JSONValue {
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        var route = live ?? ["apiVersion": .string(resource.apiVersion), "kind": "ApisixRoute"]
        route[path: "metadata", "labels"] = user[path: "metadata", "labels"]
        let annotations = (user[path: "metadata", "annotations"]?.objectValue ?? [:]).filter {
            $0.key != "kubectl.kubernetes.io/last-applied-configuration"
        }
        let serins = (live?[path: "metadata", "annotations"]?.objectValue ?? [:]).filter { $0.key.hasPrefix("serin.dev/") }
        let merged = annotations.merging(serins) { $1 }
        route[path: "metadata", "annotations"] = merged.isEmpty ? nil : .object(merged)
        var canaryHTTP = http
        canaryHTTP["priority"] = .int(priority)
        canaryHTTP["backends"] = backends(canary, template: http[path: "backends"]?[0] ?? [:], routes)
        route[path: "spec", "http"] = [canaryHTTP]
        return route
    }

    /// The user's backend as the primary and as the canary (its port, resolve granularity and subset), weighted.
    static func backends(_ canary: Canary, template: JSONValue, _ routes: Routes) -> JSONValue {
        var primary = template, canaryBackend = template
        primary["serviceName"] = .string("\(canary.serviceName)-primary")
        primary["weight"] = .int(routes.primary)
        canaryBackend["serviceName"] = .string("\(canary.serviceName)-canary")
        canaryBackend["weight"] = .int(routes.canary)
        return [primary, canaryBackend]
    }

    /// The weights of the canary route's backends; `nil` without the primary's.
    static func weights(in route: JSONValue, canary: Canary) -> Routes? {
        var routes = Routes(primary: 0, canary: 0), found = false
        for backend in route[path: "spec", "http"]?[0]?["backends"]?.arrayValue ?? [] {
            let weight = backend["weight"]?.intValue ?? 100
            if backend["serviceName"]?.stringValue == "\(canary.serviceName)-primary" { routes.primary = weight; found = true }
            if backend["serviceName"]?.stringValue == "\(canary.serviceName)-canary" { routes.canary = weight }
        }
        return found ? routes : nil
    }
}
