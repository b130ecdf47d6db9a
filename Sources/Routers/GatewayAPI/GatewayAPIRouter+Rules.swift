import CanaryAPI
import CanaryCore
import KubeCore

extension GatewayAPIRouter {
    /// The HTTPRoute `<svc>` Serin wants, from the live one (`nil`: none yet), at `routes` (the live weights when
    /// `nil`). Serin's rules come first, then the live rules that send neither to `-primary` nor to `-canary`
    /// (a user's, kept). Pure.
    public static func desiredHTTPRoute(_ canary: Canary, live: JSONValue?, version: String = "v1", routes: Routes? = nil) -> JSONValue {
        let routes = routes ?? live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        let service = canary.spec.service ?? CanaryService()
        var route = live ?? ["apiVersion": .string("gateway.networking.k8s.io/\(version)"), "kind": "HTTPRoute"]
        route[path: "spec", "parentRefs"] = .array(service.gatewayRefs ?? [])
        route[path: "spec", "hostnames"] = (service.hosts ?? []).isEmpty ? nil : .array((service.hosts ?? []).map(JSONValue.string))
        let kept = (live?[path: "spec", "rules"]?.arrayValue ?? []).filter { !isSerins($0, canary: canary) }
        route[path: "spec", "rules"] = .array(rules(canary, routes: routes) + kept)
        return route
    }

    /// Serin's rules at `routes`: the weighted rule (with its mirror, and for A/B testing the analysis matches
    /// and a second rule to the primary), preceded by the sticky rules of session affinity and the script's header
    /// and mirror routes in force.
    static func rules(_ canary: Canary, routes: Routes) -> [JSONValue] {
        let matches = serviceMatches(canary)
        var weighted = rule(canary, matches: matches, backends: backends(canary, routes))
        if routes.mirrored { weighted["filters"] = .array((weighted["filters"]?.arrayValue ?? []) + [mirrorToCanary(canary)]) }
        if canary.strategy == .abTesting {
            let analysis = (canary.spec.analysis?.match ?? []).map(match)
            weighted["matches"] = .array(merged(analysis, into: matches))
            return [weighted, rule(canary, matches: matches, backends: [backend("\(canary.serviceName)-primary", 100, canary)])]
        }
        return stepRules(canary, routes) + withStickyRules(weighted, canary: canary, routes: routes)
    }

    /// One rule of Serin's: `matches`, the Canary's filters, `backends` and its timeouts.
    static func rule(_ canary: Canary, matches: [JSONValue], backends: JSONValue) -> JSONValue {
        var rule: JSONValue = ["matches": .array(matches)]
        let filters = filters(canary)
        if !filters.isEmpty { rule["filters"] = .array(filters) }
        rule["backendRefs"] = backends
        rule["timeouts"] = timeouts(canary)
        return rule
    }

    /// `service.match` as HTTPRoute matches, or `PathPrefix /`.
    static func serviceMatches(_ canary: Canary) -> [JSONValue] {
        let blocks = canary.spec.service?.match ?? []
        return blocks.isEmpty ? [["path": ["type": "PathPrefix", "value": "/"]]] : blocks.map(match)
    }

    /// Whether a live rule is Serin's: one of its backends is `-primary`, `-canary`, `-baseline` or `-previous`.
    static func isSerins(_ rule: JSONValue, canary: Canary) -> Bool {
        let names: Set<String> = [
            "\(canary.serviceName)-primary", "\(canary.serviceName)-canary", canary.baselineServiceName, canary.previousServiceName,
        ]
        return (rule["backendRefs"]?.arrayValue ?? []).contains { names.contains($0["name"]?.stringValue ?? "") }
    }

    /// The weights of the weighted rule (Serin's first rule that is neither a sticky one nor a script's), whether
    /// it mirrors to the canary, and the script's routes in force; `nil` when there is none.
    static func weights(in route: JSONValue, canary: Canary) -> Routes? {
        let rules = route[path: "spec", "rules"]?.arrayValue ?? []
        guard let weighted = rules.first(where: { isSerins($0, canary: canary) && !isSticky($0) && !isStepShaped($0, canary: canary) }) else {
            return nil
        }
        var routes = Routes(primary: 0, canary: 0)
        for backend in weighted["backendRefs"]?.arrayValue ?? [] {
            let weight = backend["weight"]?.intValue ?? 1
            if backend["name"]?.stringValue == "\(canary.serviceName)-primary" { routes.primary = weight }
            if backend["name"]?.stringValue == "\(canary.serviceName)-canary" { routes.canary = weight }
            if backend["name"]?.stringValue == canary.baselineServiceName { routes.baseline = weight }
            if backend["name"]?.stringValue == canary.previousServiceName { routes.previous = weight }
        }
        routes.mirrored = (weighted["filters"]?.arrayValue ?? []).contains {
            $0["type"] == "RequestMirror" && $0[path: "requestMirror", "backendRef", "name"]?.stringValue == "\(canary.serviceName)-canary"
        }
        (routes.headerRoutes, routes.mirrorRoutes) = liveStepRoutes(rules.filter { isSerins($0, canary: canary) }, canary: canary, weights: routes)
        return routes
    }

    /// The weighted backends: `-primary` and `-canary`, and `-baseline` or `-previous` while it has weight (an
    /// analysis with `analysis.baseline`, a failed bake's rollback; a missing backend reads as weight 0).
    static func backends(_ canary: Canary, _ routes: Routes) -> JSONValue {
        var all = [backend("\(canary.serviceName)-primary", routes.primary, canary), backend("\(canary.serviceName)-canary", routes.canary, canary)]
        if routes.baseline > 0 { all.append(backend(canary.baselineServiceName, routes.baseline, canary)) }
        if routes.previous > 0 { all.append(backend(canary.previousServiceName, routes.previous, canary)) }
        return .array(all)
    }

    /// A backend as the API server stores it (its defaults written), so a reconcile compares equal.
    static func backend(_ name: String, _ weight: Int, _ canary: Canary) -> JSONValue {
        var backend: JSONValue = ["group": "", "kind": "Service", "name": .string(name), "weight": .int(weight)]
        backend["port"] = canary.spec.service?.port.map { JSONValue.int($0) }
        return backend
    }

    /// The filter copying the weighted rule's requests to the canary (`analysis.mirror`), for `mirrorWeight`
    /// percent of them when it is set below 100.
    static func mirrorToCanary(_ canary: Canary) -> JSONValue {
        var backend: JSONValue = ["group": "", "kind": "Service", "name": .string("\(canary.serviceName)-canary")]
        backend["port"] = canary.spec.service?.port.map { JSONValue.int($0) }
        var mirror: JSONValue = ["backendRef": backend]
        if let weight = canary.spec.analysis?.mirrorWeight, weight > 0, weight < 100 { mirror["percent"] = .int(weight) }
        return ["type": "RequestMirror", "requestMirror": mirror]
    }

    /// `service.timeout` as the request timeout and `service.backendTimeout` as the backend one; `nil` without either.
    static func timeouts(_ canary: Canary) -> JSONValue? {
        let service = canary.spec.service ?? CanaryService()
        var timeouts = JSONObject()
        if let request = service.timeout, !request.isEmpty { timeouts["request"] = .string(request) }
        if let backend = service.backendTimeout, !backend.isEmpty { timeouts["backendRequest"] = .string(backend) }
        return timeouts.isEmpty ? nil : .object(timeouts)
    }

    /// Each `analysis` match with each `service` match: the path and method of the service's, the headers and
    /// query parameters of both (every condition must hold).
    static func merged(_ analysis: [JSONValue], into service: [JSONValue]) -> [JSONValue] {
        guard !analysis.isEmpty else { return service }
        return analysis.flatMap { block in
            service.map { base in
                var merged = base
                for key in ["headers", "queryParams"] {
                    let both = (base[key]?.arrayValue ?? []) + (block[key]?.arrayValue ?? [])
                    merged[key] = both.isEmpty ? nil : .array(both)
                }
                if let path = block["path"], base[path: "path", "value"] == "/" { merged["path"] = path }
                if let method = block["method"] { merged["method"] = method }
                return merged
            }
        }
    }

    /// An Istio-style `match` block (Flagger's `service.match` and `analysis.match`) as an HTTPRoute match:
    /// `uri` exact/prefix/regex as the path, `headers` and `queryParams` exact/regex, `method`.
    static func match(_ block: JSONValue) -> JSONValue {
        func conditions(_ member: String) -> [JSONValue] { GatewayAPIRouter.conditions(block[member]) }
        var match: JSONObject = [:]
        if let uri = block["uri"] {
            for (field, type) in [("exact", "Exact"), ("prefix", "PathPrefix"), ("regex", "RegularExpression")] {
                if let value = uri[field] { match["path"] = .object(["type": .string(type), "value": value]) }
            }
        }
        if !conditions("headers").isEmpty { match["headers"] = .array(conditions("headers")) }
        if !conditions("queryParams").isEmpty { match["queryParams"] = .array(conditions("queryParams")) }
        if let method = block[path: "method", "exact"] { match["method"] = method }
        if match["path"] == nil { match["path"] = ["type": "PathPrefix", "value": "/"] }
        return .object(match)
    }

    /// Istio-style `{name: {exact|regex: value}}` conditions (headers, query parameters) as Gateway API matches
    /// (`Exact`, `RegularExpression`), by name.
    static func conditions(_ members: JSONValue?) -> [JSONValue] {
        (members?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { name, condition in
            if let exact = condition["exact"] { return ["name": .string(name), "type": "Exact", "value": exact] }
            if let regex = condition["regex"] { return ["name": .string(name), "type": "RegularExpression", "value": regex] }
            return nil
        }
    }
}
