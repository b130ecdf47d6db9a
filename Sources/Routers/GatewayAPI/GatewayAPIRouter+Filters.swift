import CanaryAPI
import KubeCore

extension GatewayAPIRouter {
    /// The filters of Serin's rules, as Flagger maps the Canary's service fields: `headers.request` and
    /// `headers.response` as header modifiers (names sorted), `rewrite` as a URL rewrite, each `service.mirror`
    /// as a request mirror and `corsPolicy` as a CORS filter. Pure.
    static func filters(_ canary: Canary) -> [JSONValue] {
        let service = canary.spec.service ?? CanaryService()
        var filters: [JSONValue] = []
        if let request = service.headers?["request"] {
            filters.append(["type": "RequestHeaderModifier", "requestHeaderModifier": headerFilter(request)])
        }
        if let response = service.headers?["response"] {
            filters.append(["type": "ResponseHeaderModifier", "responseHeaderModifier": headerFilter(response)])
        }
        if let rewrite = service.rewrite { filters.append(["type": "URLRewrite", "urlRewrite": urlRewrite(rewrite)]) }
        for mirror in service.mirror ?? [] {
            var mirror = mirror
            mirror[path: "backendRef", "group"] = mirror[path: "backendRef", "group"] ?? ""
            mirror[path: "backendRef", "kind"] = mirror[path: "backendRef", "kind"] ?? "Service"
            filters.append(["type": "RequestMirror", "requestMirror": mirror])
        }
        if let cors = service.corsPolicy { filters.append(["type": "CORS", "cors": corsFilter(cors)]) }
        return filters
    }

    /// Istio's `{add: {name: value}, set: {…}, remove: [name]}` as a Gateway API header filter.
    static func headerFilter(_ operations: JSONValue) -> JSONValue {
        func headers(_ member: String) -> JSONValue? {
            let pairs = (operations[member]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            return pairs.isEmpty ? nil : .array(pairs.map { ["name": .string($0.key), "value": $0.value] })
        }
        var filter: JSONValue = [:]
        filter["add"] = headers("add")
        filter["set"] = headers("set")
        if let remove = operations["remove"]?.arrayValue, !remove.isEmpty { filter["remove"] = .array(remove) }
        return filter
    }

    /// `rewrite.authority` as the hostname; `rewrite.uri` as the full path, or the matched prefix with
    /// `type: ReplacePrefixMatch` (Flagger's `HTTPRewrite.GetType`).
    static func urlRewrite(_ rewrite: JSONValue) -> JSONValue {
        var filter: JSONValue = [:]
        if let authority = rewrite["authority"]?.stringValue, !authority.isEmpty { filter["hostname"] = .string(authority) }
        if let uri = rewrite["uri"]?.stringValue, !uri.isEmpty {
            filter["path"] =
                rewrite["type"]?.stringValue == "ReplacePrefixMatch"
                ? ["type": "ReplacePrefixMatch", "replacePrefixMatch": .string(uri)]
                : ["type": "ReplaceFullPath", "replaceFullPath": .string(uri)]
        }
        return filter
    }

    /// Istio's CORS policy as a Gateway API CORS filter: `allowOrigin`, methods, headers, credentials, and
    /// `maxAge` in seconds. (`allowOrigins`, Istio's string matches, is refused by validation.)
    static func corsFilter(_ policy: JSONValue) -> JSONValue {
        var filter: JSONValue = [:]
        for (from, to) in [
            ("allowOrigin", "allowOrigins"), ("allowMethods", "allowMethods"), ("allowHeaders", "allowHeaders"),
            ("exposeHeaders", "exposeHeaders"),
        ] {
            if let values = policy[from]?.arrayValue, !values.isEmpty { filter[to] = .array(values) }
        }
        if policy["allowCredentials"]?.boolValue == true { filter["allowCredentials"] = true }
        // Validation refuses a maxAge that is not a duration; one that is not parsed here is left out.
        if let maxAge = policy["maxAge"]?.stringValue, case .success(let duration) = Result(catching: { try GoDuration(parsing: maxAge) }) {
            filter["maxAge"] = .int(Int(saturating: duration.seconds))
        }
        return filter
    }
}
