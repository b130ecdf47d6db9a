import Foundation
import KubeAPIServer
import KubeCore

/// A Gateway API implementation's choice of an HTTPRoute rule: the first rule with a match that holds (all
/// its conditions), a rule without matches taking everything. `path` (`Exact`, `PathPrefix`,
/// `RegularExpression`), `headers` and `queryParams` (`Exact`, `RegularExpression`) and `method`. Synthetic
/// requests (no path, no headers) take a rule whose match has a path only.
enum HTTPRouteMatcher {
    static func firstRule(_ rules: [JSONValue], for request: RequestAttributes) -> JSONValue? {
        rules.first { rule in
            guard let matches = rule["matches"]?.arrayValue, !matches.isEmpty else { return true }
            return matches.contains { holds($0, for: request) }
        }
    }

    static func holds(_ match: JSONValue, for request: RequestAttributes) -> Bool {
        if let path = match["path"], let requested = request.path {
            let value = path["value"]?.stringValue ?? "/"
            switch path["type"]?.stringValue ?? "PathPrefix" {
            case "Exact": if requested != value { return false }
            case "RegularExpression": if requested.range(of: "^(?:\(value))$", options: .regularExpression) == nil { return false }
            default:
                let prefix = value.hasSuffix("/") && value.count > 1 ? String(value.dropLast()) : value
                if !(requested == prefix || requested.hasPrefix(prefix == "/" ? "/" : prefix + "/")) { return false }
            }
        }
        for header in match["headers"]?.arrayValue ?? [] {
            guard let value = request.headers[(header["name"]?.stringValue ?? "").lowercased()], matches(header, value) else { return false }
        }
        for query in match["queryParams"]?.arrayValue ?? [] {
            guard let value = request.query[query["name"]?.stringValue ?? ""], matches(query, value) else { return false }
        }
        if let method = match["method"]?.stringValue, let requested = request.method, method != requested { return false }
        return true
    }

    static func matches(_ condition: JSONValue, _ value: String) -> Bool {
        let expected = condition["value"]?.stringValue ?? ""
        if condition["type"]?.stringValue == "RegularExpression" { return value.range(of: "^(?:\(expected))$", options: .regularExpression) != nil }
        return value == expected
    }
}

extension ServiceResolver {
    /// The HTTPRoutes and GRPCRoutes in every namespace (a GRPCRoute's method match is not judged: a gRPC call's
    /// path is not modelled, so its rules match by headers alone).
    func httpRoutes() async -> [JSONValue] {
        var routes: [JSONValue] = []
        for plural in ["httproutes", "grpcroutes"] {
            guard let type = await store.types.first(where: { $0.resource.group == "gateway.networking.k8s.io" && $0.resource.plural == plural }),
                let page = try? await store.list(type, namespace: nil)
            else { continue }
            routes += page.items
        }
        return routes
    }

    /// An HTTPRoute whose `hostnames` hold `host` (a request through a Gateway).
    func httpRoute(forHost host: String) async -> JSONValue? {
        let bare = String(host.split(separator: ":").first ?? "")
        return await httpRoutes().first { route in
            (route[path: "spec", "hostnames"]?.arrayValue ?? []).contains { $0.stringValue == bare }
        }
    }

    /// How an HTTPRoute sends `request`: its first matching rule's backends by weight (percent of the rule's
    /// total), each with the response headers its own and the rule's `ResponseHeaderModifier` add or set
    /// (Flagger's session-affinity `Set-Cookie`), and the rule's first `RequestMirror` (`percent`, or
    /// `fraction`; all requests without either).
    func routing(ofHTTPRoute route: JSONValue, request: RequestAttributes) async -> Routing {
        let namespace = route[path: "metadata", "namespace"]?.stringValue ?? "default"
        guard let rule = HTTPRouteMatcher.firstRule(route[path: "spec", "rules"]?.arrayValue ?? [], for: request) else { return .none }
        let backends = rule["backendRefs"]?.arrayValue ?? []
        let total = backends.reduce(0.0) { $0 + ($1["weight"]?.doubleValue ?? 1) }
        let ruleHeaders = HTTPRouteMatcher.responseHeaders(rule["filters"])
        var destinations: [Destination] = []
        for backend in backends where total > 0 {
            let name = backend["name"]?.stringValue ?? "", backendNamespace = backend["namespace"]?.stringValue ?? namespace
            let headers = ruleHeaders.merging(HTTPRouteMatcher.responseHeaders(backend["filters"])) { $1 }
            destinations.append(
                Destination(
                    weight: (backend["weight"]?.doubleValue ?? 1) * 100 / total,
                    backends: await self.backends(of: "\(name).\(backendNamespace)", namespace: backendNamespace),
                    responseHeaders: headers))
        }
        var mirror: (Double, [Backend])?
        if let filter = (rule["filters"]?.arrayValue ?? []).first(where: { $0["type"] == "RequestMirror" }) {
            let reference = filter[path: "requestMirror", "backendRef"] ?? [:]
            let mirrorNamespace = reference["namespace"]?.stringValue ?? namespace, name = reference["name"]?.stringValue ?? ""
            mirror = (
                HTTPRouteMatcher.mirrorPercent(filter["requestMirror"] ?? [:]),
                await self.backends(of: "\(name).\(mirrorNamespace)", namespace: mirrorNamespace)
            )
        }
        return Routing(destinations: destinations, mirror: mirror)
    }
}

extension HTTPRouteMatcher {
    /// The headers a list of filters adds to answers: `add` and `set` of its `ResponseHeaderModifier`.
    static func responseHeaders(_ filters: JSONValue?) -> [String: String] {
        var headers: [String: String] = [:]
        for filter in filters?.arrayValue ?? [] where filter["type"] == "ResponseHeaderModifier" {
            for member in ["add", "set"] {
                for header in filter[path: "responseHeaderModifier", member]?.arrayValue ?? [] {
                    if let name = header["name"]?.stringValue, let value = header["value"]?.stringValue { headers[name] = value }
                }
            }
        }
        return headers
    }

    /// The share of requests a `requestMirror` copies, in percent.
    static func mirrorPercent(_ mirror: JSONValue) -> Double {
        if let percent = mirror["percent"]?.doubleValue { return percent }
        if let numerator = mirror[path: "fraction", "numerator"]?.doubleValue {
            let denominator = mirror[path: "fraction", "denominator"]?.doubleValue ?? 100
            return denominator > 0 ? numerator * 100 / denominator : 0
        }
        return 100
    }
}
