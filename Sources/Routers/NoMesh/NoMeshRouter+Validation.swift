import CanaryAPI

extension Canary {
    /// The `kubernetes` provider writes no route: it splits no traffic (blue/green only, no A/B matches and no
    /// mirroring), and every field that shapes a route is refused by name (Flagger ignores them in silence).
    func validateKubernetes(into issues: inout ValidationIssues) {
        // Flagger turns a canary analysis into blue/green with 10 iterations and drops `match` in silence.
        switch strategy {
        case .canary: issues.add("spec.provider", "\"kubernetes\" splits no traffic: use analysis.iterations (blue/green) instead of stepWeight")
        case .abTesting: issues.add("spec.analysis.match", "A/B testing is not supported when using the kubernetes provider")
        case .blueGreen:
            if spec.analysis?.mirror == true { issues.add("spec.analysis.mirror", "mirroring is not supported when using the kubernetes provider") }
        }
        let routeFields = meshRouteFields().filter { !["spec.analysis.mirror", "spec.analysis.sessionAffinity"].contains($0.field) }
        for (field, set) in routeFields + [("spec.service.hosts", !(spec.service?.hosts ?? []).isEmpty)] where set {
            issues.add(field, "not used by the kubernetes provider: it writes no route (users reach the apex Service, which selects the primary)")
        }
    }
}

extension NoMeshRouter {
    /// What the kubernetes router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules { canary, issues in canary.validateKubernetes(into: &issues) }
}
