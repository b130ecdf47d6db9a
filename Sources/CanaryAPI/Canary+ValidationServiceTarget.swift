extension Canary {
    /// A Service target (`targetRef.kind: Service`) is copied to `<target>-primary` and `<target>-canary`, which
    /// the mesh routes between: refused, naming the field, where that cannot work — Services named otherwise
    /// than the target, the `kubernetes` provider (users reach the target Service itself, so nothing would hold
    /// them on the primary: Flagger accepts it), an autoscaler (nothing to scale), another API version.
    func validateServiceTarget(into issues: inout ValidationIssues, context: ValidationContext) {
        guard targetKind == .service, spec.targetRef?.apiVersion != "serving.knative.dev/v1" else { return }
        if let version = spec.targetRef?.apiVersion, !version.isEmpty, version != "v1" {
            issues.add("spec.targetRef.apiVersion", "\"\(version)\" is not a Service's API version (v1)")
        }
        if let name = spec.service?.name, !name.isEmpty, name != targetName {
            issues.add(
                "spec.service.name",
                "a Service target is routed as <target>-primary and <target>-canary: leave service.name out or set it to \"\(targetName)\"")
        }
        if meshProvider(default: context.meshProvider) == .kubernetes {
            issues.add(
                "spec.provider",
                "the kubernetes provider routes users through the apex Service, which a Service target is itself: choose a mesh or ingress provider")
        }
        if spec.autoscalerRef != nil {
            issues.add("spec.autoscalerRef", "a Service target has no workload to scale")
        }
    }
}
