import CanaryAPI
import CanaryCore
import KubeCore

extension IstioRouter {
    /// The name of Flagger's cookie-matching route to the canary.
    static let stickyRouteName = "sticky-route"
    /// The name of the route keeping users with the primary cookie on the primary (`primaryCookieName`).
    static let stickyPrimaryRouteName = "sticky-primary-route"

    /// `http` without its leading routes of Serin's, rebuilt every time: the script's header and mirror routes
    /// and the sticky routes.
    static func withoutLeadingRoutes(_ http: [JSONValue], canary: Canary) -> [JSONValue] {
        Array(http.drop { isLeading($0, canary: canary) })
    }

    /// Whether a route is one of those Serin puts ahead of the weighted route: named as one
    /// (``CanaryAPI/Canary/leadingRouteNames``), or shaped as a script's (``isStepShaped(_:canary:)``).
    static func isLeading(_ route: JSONValue, canary: Canary) -> Bool {
        canary.leadingRouteNames.contains(route["name"]?.stringValue ?? "") || isStepShaped(route, canary: canary)
    }

    /// Session affinity on the weighted route `http[0]`, as Flagger routes it. While traffic reaches the
    /// canary, the canary's answers set the analysis cookie (`status.sessionAffinityCookie`) and a sticky
    /// route before the weighted one sends every request carrying it to the canary; with
    /// `primaryCookieName`, the primary's answers set `status.primarySessionAffinityCookie` for one interval
    /// and a second sticky route keeps those users on the primary. Once traffic is back on the primary, the
    /// sticky route matches the previous cookie, answers from the primary and expires it (`Max-Age=-1`). Pure.
    static func withStickyRoute(_ http: [JSONValue], canary: Canary, routes: Routes) -> [JSONValue] {
        guard let affinity = canary.spec.analysis?.sessionAffinity, canary.strategy == .canary, var weighted = http.first?.objectValue else {
            return http
        }
        let cookie = routes.canary > 0 ? canary.status?.sessionAffinityCookie : nil
        let primaryCookie = cookie == nil ? nil : canary.status?.primarySessionAffinityCookie
        let primaryMaxAge = Int(saturating: canary.analysisInterval(minimum: .zero).seconds)
        weighted["route"] = .array(
            (weighted["route"]?.arrayValue ?? []).map { destination in
                switch destination[path: "destination", "host"]?.stringValue {
                case "\(canary.serviceName)-canary"?: return settingCookie(destination, cookie.map { affinity.setCookie($0) })
                case "\(canary.serviceName)-primary"?:
                    return settingCookie(destination, primaryCookie.map { affinity.setCookie($0, maxAge: primaryMaxAge) })
                default: return destination
                }
            })
        var sticky = weighted
        sticky["name"] = .string(stickyRouteName)
        if let cookie {
            sticky["match"] = .array(cookieMatch(cookie, canary: canary))
            sticky["route"] = IstioRouter.destinations(canary, Routes(primary: 0, canary: 100))
        } else if routes.canary == 0, let previous = canary.status?.previousSessionAffinityCookie {
            sticky["match"] = .array(cookieMatch(previous, canary: canary))
            var headers = sticky["headers"] ?? [:]
            headers[path: "response", "add", "Set-Cookie"] = .string("\(previous); Max-Age=-1")
            sticky["headers"] = headers
        } else {
            return [.object(weighted)] + http.dropFirst()
        }
        var leading: [JSONValue] = [.object(sticky)]
        if let primaryCookie {
            var stickyPrimary = weighted
            stickyPrimary["name"] = .string(stickyPrimaryRouteName)
            stickyPrimary["match"] = .array(cookieMatch(primaryCookie, canary: canary))
            stickyPrimary["route"] = IstioRouter.destinations(canary, Routes(primary: 100, canary: 0))
            leading.append(.object(stickyPrimary))
        }
        return leading + [.object(weighted)] + http.dropFirst()
    }

    /// `destination` with its response `Set-Cookie` set to `setCookie`, or Serin's removed when `nil`.
    private static func settingCookie(_ destination: JSONValue, _ setCookie: String?) -> JSONValue {
        var destination = destination
        if let setCookie {
            destination[path: "headers", "response", "add", "Set-Cookie"] = .string(setCookie)
        } else if destination[path: "headers", "response", "add", "Set-Cookie"] != nil {
            destination["headers"] = nil
        }
        return destination
    }

    /// The requests carrying `cookie` (`name=value`), within `service.match`.
    static func cookieMatch(_ cookie: String, canary: Canary) -> [JSONValue] {
        let parts = cookie.split(separator: "=", maxSplits: 1).map(String.init)
        let pattern = ".*\(regexEscaped(parts.first ?? "")).*\(regexEscaped(parts.count > 1 ? parts[1] : "")).*"
        let block: JSONValue = ["headers": ["Cookie": ["regex": .string(pattern)]]]
        let service = canary.spec.service?.match ?? []
        guard !service.isEmpty else { return [block] }
        return service.map { base in
            var merged = base
            merged["headers"] = (base["headers"] ?? [:]).applyingMergePatch(block["headers"] ?? [:])
            return merged
        }
    }

    /// Cookie names and values are tokens; escape the few regex characters a token may hold.
    static func regexEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
