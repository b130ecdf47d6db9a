import CanaryAPI
import KubeCore

extension Canary {
    /// What the NGINX router needs (`ingressRef`), what an ingress-nginx canary can express (one header, by
    /// value or pattern, and one cookie), and the mesh fields it does not carry (refused, never ignored).
    func validateNginx(into issues: inout ValidationIssues) {
        guard let reference = spec.ingressRef else { return issues.add("spec.ingressRef", "required by the nginx provider") }
        if (reference.name ?? "").isEmpty { issues.add("spec.ingressRef.name", "required") }
        if let kind = reference.kind, kind != "Ingress" { issues.add("spec.ingressRef.kind", "\"\(kind)\" is not Ingress") }
        // Flagger reads the Ingress as networking.k8s.io/v1 whatever the reference says (its tutorials still
        // write extensions/v1beta1); the older names of the same kind are taken the same way.
        if let version = reference.apiVersion, !["networking.k8s.io/v1", "networking.k8s.io/v1beta1", "extensions/v1beta1"].contains(version) {
            issues.add("spec.ingressRef.apiVersion", "\"\(version)\" is not networking.k8s.io/v1")
        }
        let service = spec.service ?? CanaryService()
        for (field, set) in meshRouteFields() + [("spec.service.hosts", !(service.hosts ?? []).isEmpty)] where set {
            issues.add(field, "not supported by the nginx router (the Ingress holds the routing)")
        }
        if service.appProtocol?.lowercased() == "tcp" { issues.add("spec.service.appProtocol", "an Ingress routes HTTP only") }
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
