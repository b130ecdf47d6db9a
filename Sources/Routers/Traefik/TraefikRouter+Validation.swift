import CanaryAPI

extension Canary {
    /// What a TraefikService carries: weights. The mesh fields, A/B matches, mirroring and session affinity
    /// are refused by name (the user's IngressRoute holds the routing).
    func validateTraefik(into issues: inout ValidationIssues) {
        for (field, set) in meshRouteFields() where set {
            issues.add(field, "not supported by the traefik router (the IngressRoute holds the routing; Serin writes a weighted TraefikService)")
        }
        if !(spec.analysis?.match ?? []).isEmpty { issues.add("spec.analysis.match", "A/B testing is not supported by the traefik router") }
        if !(spec.service?.hosts ?? []).isEmpty {
            issues.add("spec.service.hosts", "not used by the traefik router: your IngressRoute's match holds the host")
        }
        if spec.service?.appProtocol?.lowercased() == "tcp" { issues.add("spec.service.appProtocol", "the traefik router weighs HTTP services only") }
    }
}

extension TraefikRouter {
    /// What the traefik router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules { canary, issues in canary.validateTraefik(into: &issues) }
}
