import CanaryAPI
import KubeCore

extension Canary {
    /// What the NGINX router needs (`ingressRef`), what an ingress-nginx canary can express (one header, by
    /// value or pattern, and one cookie), and the mesh fields it does not carry (refused, never ignored).
    func validateNginx(into issues: inout ValidationIssues) {
        guard validateIngressReference(provider: "nginx", into: &issues) else { return }
        validateNginxMatch(into: &issues)
    }

    /// ingress-nginx matches a canary by one header (exact value or regex) and one cookie (`always`/`never` or
    /// the exact value Flagger writes), nothing else.
    private func validateNginxMatch(into issues: inout ValidationIssues) {
        var headers: Set<String> = [], cookies = 0
        for (index, block) in (spec.analysis?.match ?? []).enumerated() {
            let field = "spec.analysis.match[\(index)]"
            for key in (block.objectValue ?? [:]).keys where key != "headers" {
                issues.add("\(field).\(key)", "ingress-nginx matches a canary by a header or a cookie only")
            }
            for (name, condition) in block["headers"]?.objectValue ?? [:] {
                let kinds = (condition.objectValue ?? [:]).keys.sorted()
                if name.lowercased() == "cookie" {
                    cookies += 1
                    if kinds != ["exact"] { issues.add("\(field).headers.\(name)", "a cookie matches by exact name (canary-by-cookie) only") }
                } else {
                    headers.insert(name.lowercased())
                    if kinds != ["exact"] && kinds != ["regex"] { issues.add("\(field).headers.\(name)", "matches by exact or regex only") }
                }
            }
        }
        for (index, block) in (spec.analysis?.match ?? []).enumerated() {
            for (name, condition) in block["headers"]?.objectValue ?? [:] where name.lowercased() == "cookie" {
                if let cookie = condition["exact"]?.stringValue, let problem = SessionAffinity.cookieNameProblem(cookie) {
                    issues.add("spec.analysis.match[\(index)].headers.\(name).exact", problem)
                }
            }
            var headers = block
            headers["headers"] = block["headers"]?.objectValue.map { .object($0.filter { $0.key.lowercased() != "cookie" }) }
            headerValues(headers, field: "spec.analysis.match[\(index)]", re2: false, into: &issues)
        }
        if headers.count > 1 {
            issues.add("spec.analysis.match", "ingress-nginx matches one header; these name \(headers.sorted().joined(separator: ", "))")
        }
        if cookies > 1 { issues.add("spec.analysis.match", "ingress-nginx matches one cookie") }
    }
}

extension NginxRouter {
    /// What the nginx router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules(fields: [ProviderField("spec.ingressRef", usedBy: "the nginx provider") { $0.spec.ingressRef != nil }]) {
        canary, issues in canary.validateNginx(into: &issues)
    }
}
