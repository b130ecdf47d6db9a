import CanaryAPI

extension Canary {
    /// What the knative provider routes: a Knative Service (Flagger's `verifyKnativeCanary`, with its
    /// message), by weight between two revisions. The mesh fields, A/B matches, mirroring and session
    /// affinity are refused by name; `autoscalerRef` is refused for any Knative Service target.
    func validateKnative(into issues: inout ValidationIssues) {
        if targetKind != .knativeService {
            let reference = spec.targetRef
            issues.add(
                "spec.targetRef",
                "can't use \(reference?.apiVersion ?? "")/\(reference?.kind ?? "Deployment") as target if provider is set to knative")
        }
        for (field, set) in meshRouteFields() where set {
            issues.add(field, "not supported by the knative provider (Serin splits the Knative Service's spec.traffic by weight, as Flagger)")
        }
        if !(spec.analysis?.match ?? []).isEmpty { issues.add("spec.analysis.match", "A/B testing is not supported by the knative provider") }
        if !(spec.service?.hosts ?? []).isEmpty {
            issues.add("spec.service.hosts", "not used by the knative provider: Knative gives the Service its own host")
        }
        if spec.service?.appProtocol?.lowercased() == "tcp" { issues.add("spec.service.appProtocol", "the knative provider routes HTTP only") }
    }
}

extension KnativeRouter {
    /// What the knative router checks of a Canary it routes (``RouterRules``).
    static let validation = RouterRules { canary, issues in canary.validateKnative(into: &issues) }
}
