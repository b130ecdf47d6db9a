import CanaryAPI
import CanaryCore
import KubeCore

extension IstioRouter {
    /// The name of Flagger's cookie-matching route.
    static let stickyRouteName = "sticky-route"

    /// `http` without a leading sticky route (Serin's own, rebuilt from the status every time).
    static func withoutStickyRoute(_ http: [JSONValue]) -> [JSONValue] {
        guard http.first?["name"]?.stringValue == stickyRouteName else { return http }
        return Array(http.dropFirst())
    }

    /// Session affinity on the weighted route `http[0]`, as Flagger routes it. While traffic reaches the
    /// canary, the canary's answers set the analysis cookie (`status.sessionAffinityCookie`) and a sticky
    /// route before the weighted one sends every request carrying it to the canary. Once traffic is back on
    /// the primary, the sticky route matches the previous cookie, answers from the primary and expires it
    /// (`Max-Age=-1`). Pure.
    static func withStickyRoute(_ http: [JSONValue], canary: Canary, routes: Routes) -> [JSONValue] {
        guard let affinity = canary.spec.analysis?.sessionAffinity, canary.strategy == .canary, var weighted = http.first?.objectValue else { return http }
        let canaryHost = "\(canary.serviceName)-canary"
        let cookie = routes.canary > 0 ? canary.status?.sessionAffinityCookie : nil
        var destinations = weighted["route"]?.arrayValue ?? []
        for index in destinations.indices where destinations[index][path: "destination", "host"]?.stringValue == canaryHost {
            if let cookie {
                destinations[index][path: "headers", "response", "add", "Set-Cookie"] = .string(affinity.setCookie(cookie))
            } else if destinations[index][path: "headers", "response", "add", "Set-Cookie"] != nil {
                destinations[index]["headers"] = nil
            }
        }
        weighted["route"] = .array(destinations)
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
        return [.object(sticky), .object(weighted)] + http.dropFirst()
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
    private static func regexEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
