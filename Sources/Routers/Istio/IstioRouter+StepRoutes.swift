import CanaryAPI
import CanaryCore
import KubeCore

/// A script's `setHeaderRoute` and `setMirrorRoute` steps on Istio, written as Argo Rollouts writes them:
/// named HTTP routes ahead of the weighted one, each a copy of Serin's route (its `service.match`, rewrite,
/// timeout, retries, headers and CORS) with the step's match. A header route sends its requests to the canary;
/// a mirror route splits them by the live weights and copies `percentage` of them to the canary.
extension IstioRouter {
    /// The routes for a script's header and mirror routes in force, in order. Pure. A route without a match
    /// (what a route edited by hand reads back as) is never written: it would take every request.
    static func stepRoutes(_ canary: Canary, _ routes: Routes) -> [JSONValue] {
        routes.headerRoutes.filter { !($0.match ?? []).isEmpty }.map { headerRoute($0, canary) }
            + routes.mirrorRoutes.filter { !($0.match ?? []).isEmpty }.map { mirrorRoute($0, canary, routes) }
    }

    /// Whether a leading route is shaped as a script's: every destination `<svc>-canary` (a header route), or a
    /// mirror to `<svc>-canary` (a mirror route). The weighted route is neither while a script runs (it cannot
    /// be combined with `analysis.mirror`), so a route of a step renamed or removed mid-analysis is still
    /// recognised as one.
    static func isStepShaped(_ route: JSONValue, canary: Canary) -> Bool {
        guard canary.spec.analysis?.steps != nil else { return false }
        let hosts = (route["route"]?.arrayValue ?? []).map { $0[path: "destination", "host"]?.stringValue ?? "" }
        return (!hosts.isEmpty && hosts.allSatisfy { $0 == "\(canary.serviceName)-canary" })
            || route[path: "mirror", "host"]?.stringValue == "\(canary.serviceName)-canary"
    }

    /// The script's routes read back from the leading routes of `http`: each as the step that renders it
    /// exactly at the live `weights`; any other (edited by hand, or of a step renamed since) reads as a route
    /// with no match, which no step wants and which is never written, so that the next ``setRoutes(_:_:)``
    /// replaces it.
    static func liveStepRoutes(_ http: [JSONValue], canary: Canary, weights: Routes) -> (header: [HeaderRoute], mirror: [MirrorRoute]) {
        guard canary.spec.analysis?.steps != nil else { return ([], []) }
        let sticky: Set = [stickyRouteName, stickyPrimaryRouteName]
        var header: [HeaderRoute] = [], mirror: [MirrorRoute] = []
        let leading = http.prefix { isLeading($0, canary: canary) }.filter { !sticky.contains($0["name"]?.stringValue ?? "") }
        for route in leading {
            let name = route["name"]?.stringValue ?? ""
            var found = false
            for step in canary.spec.analysis?.steps ?? [] {
                switch step.action {
                case .setHeaderRoute(let candidate) where candidate.name == name && candidate.match != nil:
                    if headerRoute(candidate, canary) == route { (found, header) = (true, header + [candidate]) }
                case .setMirrorRoute(let candidate) where candidate.name == name && candidate.match != nil:
                    if mirrorRoute(candidate, canary, weights) == route { (found, mirror) = (true, mirror + [candidate]) }
                default: continue
                }
                if found { break }
            }
            if !found { header.append(HeaderRoute(name: name, match: [])) }
        }
        return (header, mirror)
    }

    /// A header route: its matching requests to the canary.
    static func headerRoute(_ route: HeaderRoute, _ canary: Canary) -> JSONValue {
        let blocks = (route.match ?? []).map { condition -> JSONObject in
            var block = JSONObject()
            block["headers"] = .object([condition.headerName: condition.value.json])
            return block
        }
        let canaryOnly = destinations(canary, Routes(primary: 0, canary: 100)).arrayValue?.filter { $0["weight"]?.intValue == 100 } ?? []
        return stepRoute(route.name, blocks: blocks, canary: canary, destinations: .array(canaryOnly))
    }

    /// A mirror route: its matching requests split by the live weights, `percentage` of them copied to the canary.
    static func mirrorRoute(_ route: MirrorRoute, _ canary: Canary, _ routes: Routes) -> JSONValue {
        let blocks = (route.match ?? []).map { condition -> JSONObject in
            var block = JSONObject()
            block["method"] = condition.method?.json
            block["uri"] = condition.path?.json
            if !condition.headers.isEmpty {
                block["headers"] = .object(
                    JSONObject(uniqueKeysWithValues: condition.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) }))
            }
            return block
        }
        let weights = Routes(primary: routes.primary + routes.baseline, canary: routes.canary)
        var mirrored = stepRoute(route.name, blocks: blocks, canary: canary, destinations: destinations(canary, weights)).objectValue ?? [:]
        mirrored["mirror"] = ["host": .string("\(canary.serviceName)-canary")]
        mirrored["mirrorPercentage"] = ["value": .int(route.percentage)]
        return .object(mirrored)
    }

    /// Serin's route for the Canary, named `name`, matching each of `blocks` within `service.match`, to
    /// `destinations`.
    private static func stepRoute(_ name: String, blocks: [JSONObject], canary: Canary, destinations: JSONValue) -> JSONValue {
        var route = desiredSpec(canary, routes: .allPrimary).route
        let bases = firstRouteMatch(canary).compactMap(\.objectValue)
        let match = blocks.flatMap { block in
            (bases.isEmpty ? [JSONObject()] : bases).map { base in
                var merged = base
                for (key, value) in block {
                    merged[key] = key == "headers" ? (base[key] ?? [:]).applyingMergePatch(value) : value
                }
                return JSONValue.object(merged)
            }
        }
        route["name"] = .string(name)
        route["match"] = .array(match)
        route["route"] = destinations
        var ordered: JSONObject = ["name": .string(name)]
        for (key, value) in route where key != "name" { ordered[key] = value }
        return .object(ordered)
    }
}
