import CanaryAPI

extension Canary {
    /// What a Kuma TrafficRoute carries as Flagger writes it: a weighted split of one Service's port. The mesh
    /// fields, A/B matches, mirroring and session affinity are refused by name.
    func validateKuma(into issues: inout ValidationIssues) {
        for (field, set) in meshRouteFields() where set {
            issues.add(field, "not supported by the kuma provider (Serin writes a TrafficRoute that splits by weight only, as Flagger)")
        }
        if !(spec.analysis?.match ?? []).isEmpty { issues.add("spec.analysis.match", "A/B testing is not supported by the kuma provider") }
        if !(spec.service?.hosts ?? []).isEmpty {
            issues.add("spec.service.hosts", "not used by the kuma provider: the TrafficRoute routes the apex Service's kuma.io/service tag")
        }
    }
}

extension KumaRouter {
    /// What the kuma router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules { canary, issues in canary.validateKuma(into: &issues) }
}
