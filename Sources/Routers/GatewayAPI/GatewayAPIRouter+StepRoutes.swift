import CanaryAPI
import CanaryCore
import KubeCore

/// A script's `setHeaderRoute` and `setMirrorRoute` steps on the Gateway API: rules of Serin's ahead of the
/// weighted one, each with the Canary's filters and timeouts and the step's matches within `service.match`. A
/// header rule sends its requests to `-canary`; a mirror rule splits them by the live weights with a
/// `RequestMirror` filter to `-canary`. A Gateway picks among rules by precedence (path, then method, then
/// the number of header matches), not by order.
extension GatewayAPIRouter {
    /// The rules of the script's routes in force, headers first. Pure.
    static func stepRules(_ canary: Canary, _ routes: Routes) -> [JSONValue] {
        routes.headerRoutes.map { headerRule($0, canary) } + routes.mirrorRoutes.map { mirrorRule($0, canary, routes) }
    }

    /// A header route's rule: its matching requests to the canary.
    static func headerRule(_ route: HeaderRoute, _ canary: Canary) -> JSONValue {
        let blocks: [JSONValue] = (route.match ?? []).map { condition in ["headers": .object([condition.headerName: gatewayValue(condition.value)])] }
        return rule(
            canary, matches: merged(blocks.map(match), into: serviceMatches(canary)), backends: [backend("\(canary.serviceName)-canary", 100, canary)]
        )
    }

    /// A mirror route's rule: its matching requests by the live weights, `percentage` of them copied to the canary.
    static func mirrorRule(_ route: MirrorRoute, _ canary: Canary, _ routes: Routes) -> JSONValue {
        let blocks = (route.match ?? []).map { condition -> JSONValue in
            var block: JSONValue = [:]
            block["method"] = condition.method?.json
            block["uri"] = condition.path?.json
            if !condition.headers.isEmpty {
                block["headers"] = .object(
                    JSONObject(uniqueKeysWithValues: condition.headers.sorted { $0.key < $1.key }.map { ($0.key, gatewayValue($0.value)) }))
            }
            return block
        }
        let weights = Routes(primary: routes.primary + routes.baseline, canary: routes.canary)
        var rule = rule(canary, matches: merged(blocks.map(match), into: serviceMatches(canary)), backends: backends(canary, weights))
        var mirror = mirrorToCanary(canary)
        mirror[path: "requestMirror", "percent"] = route.percentage < 100 ? .int(route.percentage) : nil
        rule["filters"] = .array((rule["filters"]?.arrayValue ?? []) + [mirror])
        return rule
    }

    /// A header's value match as the Gateway API takes it: `Exact` or `RegularExpression` (a prefix as an
    /// expression).
    static func gatewayValue(_ match: StringMatch) -> JSONValue {
        switch match {
        case .prefix(let prefix): ["regex": .string(IstioRouter.regexEscaped(prefix) + ".*")]
        default: match.json
        }
    }

    /// The script's routes read back from the live rules of Serin's: each as the step that renders it exactly
    /// at the live `weights`; a mirror rule no step renders (edited by hand) reads as a route with no match, so
    /// that the next ``setRoutes(_:_:)`` rewrites it.
    static func liveStepRoutes(_ rules: [JSONValue], canary: Canary, weights: Routes) -> (header: [HeaderRoute], mirror: [MirrorRoute]) {
        var header: [HeaderRoute] = [], mirror: [MirrorRoute] = []
        let candidates = stepRouteCandidates(canary)
        for rule in rules {
            if let route = candidates.header.first(where: { headerRule($0, canary) == rule }) {
                header.append(route)
            } else if hasStepMirror(rule, canary: canary) {
                mirror.append(candidates.mirror.first { mirrorRule($0, canary, weights) == rule } ?? MirrorRoute(name: "edited", match: []))
            }
        }
        return (header, mirror)
    }

    /// Whether `rule` is one of the script's: a header route's as the script renders it, or a mirror rule.
    static func isStepRule(_ rule: JSONValue, canary: Canary) -> Bool {
        let candidates = stepRouteCandidates(canary)
        return hasStepMirror(rule, canary: canary) || candidates.header.contains { headerRule($0, canary) == rule }
    }

    /// Whether `rule` mirrors to the canary for a script (which cannot use `analysis.mirror`).
    private static func hasStepMirror(_ rule: JSONValue, canary: Canary) -> Bool {
        guard canary.spec.analysis?.steps != nil else { return false }
        return (rule["filters"]?.arrayValue ?? []).contains {
            $0["type"] == "RequestMirror" && $0[path: "requestMirror", "backendRef", "name"]?.stringValue == "\(canary.serviceName)-canary"
        }
    }

    /// Every header and mirror route the script sets (not the removals).
    private static func stepRouteCandidates(_ canary: Canary) -> (header: [HeaderRoute], mirror: [MirrorRoute]) {
        var header: [HeaderRoute] = [], mirror: [MirrorRoute] = []
        for step in canary.spec.analysis?.steps ?? [] {
            switch step.action {
            case .setHeaderRoute(let route) where route.match != nil: header.append(route)
            case .setMirrorRoute(let route) where route.match != nil: mirror.append(route)
            default: continue
            }
        }
        return (header, mirror)
    }
}
