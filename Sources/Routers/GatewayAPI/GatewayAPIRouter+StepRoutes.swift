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
    /// A route without a match (what a rule edited by hand reads back as) is never written: it would take every
    /// request.
    static func stepRules(_ canary: Canary, _ routes: Routes) -> [JSONValue] {
        routes.headerRoutes.filter { !($0.match ?? []).isEmpty }.map { headerRule($0, canary) }
            + routes.mirrorRoutes.filter { !($0.match ?? []).isEmpty }.map { mirrorRule($0, canary, routes) }
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

    /// The script's routes read back from the live rules of Serin's: each as a step renders it at the live
    /// `weights`, the routes in force at the step under way tried first and each taken once (rules carry no
    /// name: two routes may render alike); any other rule shaped as a script's reads as a route with no match,
    /// which no step wants and which is never written, so that the next ``setRoutes(_:_:)`` replaces it. A
    /// mirror's `percent` is not compared: Gateway API CRDs before v1.3's standard channel drop it.
    static func liveStepRoutes(_ rules: [JSONValue], canary: Canary, weights: Routes) -> (header: [HeaderRoute], mirror: [MirrorRoute]) {
        guard canary.spec.analysis?.steps != nil else { return ([], []) }
        var (headers, mirrors) = stepRouteCandidates(canary)
        var header: [HeaderRoute] = [], mirror: [MirrorRoute] = []
        for rule in rules where isStepShaped(rule, canary: canary) {
            if hasStepMirror(rule, canary: canary) {
                let live = withoutPercent(rule)
                if let index = mirrors.firstIndex(where: { withoutPercent(mirrorRule($0, canary, weights)) == live }) {
                    mirror.append(mirrors.remove(at: index))
                } else {
                    mirror.append(MirrorRoute(name: "edited", match: []))
                }
            } else if let index = headers.firstIndex(where: { headerRule($0, canary) == rule }) {
                header.append(headers.remove(at: index))
            } else {
                header.append(HeaderRoute(name: "edited", match: []))
            }
        }
        return (header, mirror)
    }

    /// Whether `rule` is shaped as a script's: every backend `-canary` (a header rule), or a mirror to the
    /// canary (the weighted rule never mirrors while a script runs).
    static func isStepShaped(_ rule: JSONValue, canary: Canary) -> Bool {
        guard canary.spec.analysis?.steps != nil else { return false }
        let names = (rule["backendRefs"]?.arrayValue ?? []).map { $0["name"]?.stringValue ?? "" }
        return (!names.isEmpty && names.allSatisfy { $0 == "\(canary.serviceName)-canary" }) || hasStepMirror(rule, canary: canary)
    }

    /// Whether `rule` mirrors to the canary for a script (which cannot use `analysis.mirror`).
    private static func hasStepMirror(_ rule: JSONValue, canary: Canary) -> Bool {
        guard canary.spec.analysis?.steps != nil else { return false }
        return (rule["filters"]?.arrayValue ?? []).contains {
            $0["type"] == "RequestMirror" && $0[path: "requestMirror", "backendRef", "name"]?.stringValue == "\(canary.serviceName)-canary"
        }
    }

    private static func withoutPercent(_ rule: JSONValue) -> JSONValue {
        var rule = rule
        rule["filters"] = rule["filters"]?.arrayValue.map { filters in
            .array(
                filters.map { filter in
                    var filter = filter
                    if filter["type"] == "RequestMirror" { filter[path: "requestMirror", "percent"] = nil }
                    return filter
                })
        }
        return rule
    }

    /// Every header and mirror route the script sets (not the removals), those in force at the step under way
    /// first.
    private static func stepRouteCandidates(_ canary: Canary) -> (header: [HeaderRoute], mirror: [MirrorRoute]) {
        let steps = canary.spec.analysis?.steps ?? []
        var (header, mirror) = canary.status?.currentStep.map { steps.routes(through: $0) } ?? ([], [])
        for step in steps {
            switch step.action {
            case .setHeaderRoute(let route) where route.match != nil: header.append(route)
            case .setMirrorRoute(let route) where route.match != nil: mirror.append(route)
            default: continue
            }
        }
        return (header, mirror)
    }
}
