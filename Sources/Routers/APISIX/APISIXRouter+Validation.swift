import CanaryAPI

extension Canary {
    /// What the APISIX router needs (`routeRef` to an ApisixRoute) and carries (weights): the mesh fields,
    /// A/B matches, mirroring and session affinity are refused by name (the ApisixRoute holds the routing).
    func validateAPISIX(into issues: inout ValidationIssues) {
        guard let reference = spec.routeRef else { return issues.add("spec.routeRef", "required by the apisix provider") }
        if (reference.name ?? "").isEmpty { issues.add("spec.routeRef.name", "required") }
        if let kind = reference.kind, kind != "ApisixRoute" { issues.add("spec.routeRef.kind", "\"\(kind)\" is not ApisixRoute") }
        if let version = reference.apiVersion, version != "apisix.apache.org/v2" {
            issues.add("spec.routeRef.apiVersion", "\"\(version)\" is not apisix.apache.org/v2")
        }
        for (field, set) in meshRouteFields() where set {
            issues.add(field, "not supported by the apisix router (the ApisixRoute holds the routing; Serin weighs its backends)")
        }
        if !(spec.analysis?.match ?? []).isEmpty { issues.add("spec.analysis.match", "A/B testing is not supported by the apisix router") }
        if !(spec.service?.hosts ?? []).isEmpty {
            issues.add("spec.service.hosts", "not used by the apisix router: your ApisixRoute's match holds the hosts")
        }
        if spec.service?.appProtocol?.lowercased() == "tcp" { issues.add("spec.service.appProtocol", "the apisix router weighs HTTP routes only") }
    }
}

extension APISIXRouter {
    /// What the apisix router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules(fields: [ProviderField("spec.routeRef", usedBy: "the apisix provider") { $0.spec.routeRef != nil }]) {
        canary, issues in canary.validateAPISIX(into: &issues)
    }
}
