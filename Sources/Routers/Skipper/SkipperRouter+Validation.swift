import CanaryAPI
import KubeCore

extension Canary {
    /// What the Skipper router needs (`ingressRef` to an Ingress), and what its weighted copy cannot carry:
    /// A/B testing (Flagger leaves it a TODO and ignores `analysis.match`), the mesh fields, TCP.
    func validateSkipper(into issues: inout ValidationIssues) {
        guard validateIngressReference(provider: "skipper", into: &issues) else { return }
        if !(spec.analysis?.match ?? []).isEmpty {
            issues.add("spec.analysis.match", "the skipper router splits by weight only (Flagger ignores match here; Serin refuses it)")
        }
    }
}

extension SkipperRouter {
    /// What the skipper router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules(fields: [ProviderField("spec.ingressRef", usedBy: "the skipper provider") { $0.spec.ingressRef != nil }]) {
        canary, issues in canary.validateSkipper(into: &issues)
    }
}
