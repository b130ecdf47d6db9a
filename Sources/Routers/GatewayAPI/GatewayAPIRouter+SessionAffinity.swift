import CanaryAPI
import CanaryCore
import KubeCore

extension GatewayAPIRouter {
    /// Session affinity around the weighted rule, as Flagger routes it on Gateway API. While traffic reaches the
    /// canary, the canary backend's answers set the analysis cookie (`status.sessionAffinityCookie`) and a
    /// sticky rule before the weighted one sends every request carrying it to the canary; with
    /// `primaryCookieName`, the primary backend's answers set `status.primarySessionAffinityCookie` for one
    /// interval and a second sticky rule keeps those users on the primary. Once traffic is back on the
    /// primary, the sticky rule matches the previous cookie and expires it (`Max-Age=-1`). Pure.
    static func withStickyRules(_ weighted: JSONValue, canary: Canary, routes: Routes) -> [JSONValue] {
        guard let affinity = canary.spec.analysis?.sessionAffinity, canary.strategy == .canary else { return [weighted] }
        let cookie = routes.canary > 0 ? canary.status?.sessionAffinityCookie : nil
        let primaryCookie = cookie == nil ? nil : canary.status?.primarySessionAffinityCookie
        var weighted = weighted
        var sticky = weighted
        if let cookie {
            let primaryMaxAge = Int(saturating: canary.analysisInterval(minimum: .zero).seconds)
            weighted["backendRefs"] = .array(
                (weighted["backendRefs"]?.arrayValue ?? []).map { backend in
                    switch backend["name"]?.stringValue {
                    case "\(canary.serviceName)-canary"?: return settingCookie(backend, affinity.setCookie(cookie))
                    case "\(canary.serviceName)-primary"?:
                        return primaryCookie.map { settingCookie(backend, affinity.setCookie($0, maxAge: primaryMaxAge)) } ?? backend
                    default: return backend
                    }
                })
            sticky["matches"] = .array(cookieMatches(cookie, canary: canary))
            sticky["backendRefs"] = backends(canary, Routes(primary: 0, canary: 100))
        } else if routes.canary == 0, let previous = canary.status?.previousSessionAffinityCookie {
            sticky["matches"] = .array(cookieMatches(previous, canary: canary))
            sticky["filters"] = .array(addingResponseHeader(sticky["filters"]?.arrayValue ?? [], "Set-Cookie", "\(previous); Max-Age=-1"))
        } else {
            return [weighted]
        }
        var rules = [sticky]
        if let primaryCookie {
            var stickyPrimary = sticky
            stickyPrimary["matches"] = .array(cookieMatches(primaryCookie, canary: canary))
            stickyPrimary["backendRefs"] = backends(canary, Routes(primary: 100, canary: 0))
            rules.append(stickyPrimary)
        }
        return rules + [weighted]
    }

    /// A sticky rule: every one of its matches has a `Cookie` regular expression `.*name.*value.*` (Serin's own,
    /// rebuilt from the status every time).
    static func isSticky(_ rule: JSONValue) -> Bool {
        let matches = rule["matches"]?.arrayValue ?? []
        return !matches.isEmpty
            && matches.allSatisfy { match in
                (match["headers"]?.arrayValue ?? []).contains { header in
                    header["name"] == "Cookie" && header["type"] == "RegularExpression"
                        && (header["value"]?.stringValue.map { $0.hasPrefix(".*") && $0.hasSuffix(".*") } ?? false)
                }
            }
    }

    /// `backend` with a filter adding `Set-Cookie: setCookie` to its answers.
    private static func settingCookie(_ backend: JSONValue, _ setCookie: String) -> JSONValue {
        var backend = backend
        backend["filters"] = .array(addingResponseHeader(backend["filters"]?.arrayValue ?? [], "Set-Cookie", setCookie))
        return backend
    }

    /// `filters` with `name: value` added to the answers: into the existing response header modifier (a rule
    /// may hold one filter of each type), or a new one.
    static func addingResponseHeader(_ filters: [JSONValue], _ name: String, _ value: String) -> [JSONValue] {
        let header: JSONValue = ["name": .string(name), "value": .string(value)]
        guard let index = filters.firstIndex(where: { $0["type"] == "ResponseHeaderModifier" }) else {
            return filters + [["type": "ResponseHeaderModifier", "responseHeaderModifier": ["add": [header]]]]
        }
        var filters = filters
        let added = filters[index][path: "responseHeaderModifier", "add"]?.arrayValue ?? []
        filters[index][path: "responseHeaderModifier", "add"] = .array(added + [header])
        return filters
    }

    /// The requests carrying `cookie` (`name=value`), within `service.match`.
    static func cookieMatches(_ cookie: String, canary: Canary) -> [JSONValue] {
        let parts = cookie.split(separator: "=", maxSplits: 1).map(String.init)
        let pattern = ".*\(IstioRouter.regexEscaped(parts.first ?? "")).*\(IstioRouter.regexEscaped(parts.count > 1 ? parts[1] : "")).*"
        let block: JSONValue = ["headers": [["name": "Cookie", "type": "RegularExpression", "value": .string(pattern)]]]
        return merged([block], into: serviceMatches(canary))
    }
}
