extension Canary {
    /// Flagger's `verifyKnativeCanary`, the part that holds whatever the provider: a Knative Service target is
    /// routed by the `knative` provider only (Flagger's message), and has no autoscaler (Knative scales its
    /// revisions). The other half (the `knative` provider needs a Knative Service) is the knative router's.
    ///
    /// Flagger compares `spec.provider` only, so a Knative Canary relying on `--mesh-provider knative` is
    /// refused there ("can't use  provider"); Serin takes the provider the Canary is routed by.
    func validateKnativeTarget(into issues: inout ValidationIssues, context: ValidationContext) {
        guard targetKind == .knativeService else { return }
        let provider = spec.provider.flatMap { $0.isEmpty ? nil : $0 } ?? context.meshProvider.rawValue
        if provider != MeshProvider.knative.rawValue {
            issues.add("spec.provider", "can't use \(provider) provider with Knative Service as target")
        }
        if spec.autoscalerRef != nil { issues.add("spec.autoscalerRef", "can't use autoscaler with Knative Service") }
    }
}
