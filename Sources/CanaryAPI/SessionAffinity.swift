/// `analysis.sessionAffinity`: once a user's request reached the canary, a cookie pins their next
/// requests to it for the rest of the analysis (Flagger's sticky route).
public struct SessionAffinity: Codable, Sendable, Equatable {
    /// The cookie that pins a user to the canary (required).
    public var cookieName: String?
    /// The cookie pinning users who reached the primary to it for an interval (optional).
    public var primaryCookieName: String?
    /// The cookie's `Max-Age` in seconds (default 86400).
    public var maxAge: Int?
    public var domain: String?
    public var path: String?
    public var httpOnly: Bool?
    public var secure: Bool?
    public var partitioned: Bool?
    /// `Strict`, `Lax` or `None`.
    public var sameSite: String?

    public static let defaultMaxAge = 86400

    public init(cookieName: String) { self.cookieName = cookieName }

    /// The `Set-Cookie` value for `cookie` (`name=value`), as Flagger builds it:
    /// `<name>=<value>; Max-Age=<n>[; Domain=…][; HttpOnly][; Partitioned][; Path=…][; SameSite=…][; Secure]`.
    /// `maxAge` overrides the block's (the primary cookie lives one analysis interval).
    public func setCookie(_ cookie: String, maxAge: Int? = nil) -> String {
        var parts = [cookie, "Max-Age=\(maxAge ?? self.maxAge ?? SessionAffinity.defaultMaxAge)"]
        if let domain, !domain.isEmpty { parts.append("Domain=\(domain)") }
        if httpOnly == true { parts.append("HttpOnly") }
        if partitioned == true { parts.append("Partitioned") }
        if let path, !path.isEmpty { parts.append("Path=\(path)") }
        if let sameSite, !sameSite.isEmpty { parts.append("SameSite=\(sameSite)") }
        if secure == true { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    /// The problems of this block, by field under `spec.analysis.sessionAffinity`.
    func validate(into issues: inout ValidationIssues, strategy: DeploymentStrategy, tcp: Bool) {
        let field = "spec.analysis.sessionAffinity"
        let name = cookieName ?? ""
        if name.isEmpty {
            issues.add("\(field).cookieName", "required")
        } else if let problem = SessionAffinity.cookieNameProblem(name) {
            issues.add("\(field).cookieName", problem)
        }
        if let primary = primaryCookieName, !primary.isEmpty {
            if let problem = primary == name ? "must differ from cookieName" : SessionAffinity.cookieNameProblem(primary) {
                issues.add("\(field).primaryCookieName", problem)
            }
        }
        issues.range(maxAge, 0...ValidationLimits.maximumCookieAge, "\(field).maxAge")
        if let sameSite, !["Strict", "Lax", "None"].contains(sameSite) {
            issues.add("\(field).sameSite", "\"\(sameSite)\" is not Strict, Lax or None")
        }
        if strategy != .canary { issues.add(field, "pins users during weighted steps; with \(strategy.rawValue) it is not supported") }
        if tcp { issues.add(field, "needs HTTP routes; appProtocol tcp has no cookies") }
    }

    /// Why `name` cannot be a cookie name (RFC 6265 token), `nil` when it can.
    public static func cookieNameProblem(_ name: String) -> String? {
        name.wholeMatch(of: /[A-Za-z0-9!#$%&'*+\-.^_`|~]+/) == nil ? "\"\(name)\" is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)" : nil
    }
}
