/// The kind of workload a Canary ships: `spec.targetRef.kind` (default `Deployment`), and for `Service` its
/// `apiVersion` (a Knative Service is `serving.knative.dev/v1`).
public enum TargetKind: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case deployment = "Deployment", daemonSet = "DaemonSet", service = "Service"
    /// A StatefulSet, released through its own partitioned rolling update (Serin's; Flagger refuses it).
    case statefulSet = "StatefulSet"
    /// A Knative Service (`serving.knative.dev/v1` `Service`, Flagger's `IsKnativeService`).
    case knativeService = "Service.serving.knative.dev"

    public var description: String { self == .knativeService ? "Service (\(KnativeServing.apiVersion))" : rawValue }
}

extension Canary {
    /// The target's kind; `nil` for a kind Flagger does not know either (a validation issue).
    public var targetKind: TargetKind? {
        guard let kind = spec.targetRef?.kind, !kind.isEmpty else { return .deployment }
        if kind == "Service" && spec.targetRef?.apiVersion == KnativeServing.apiVersion { return .knativeService }
        guard let known = TargetKind(rawValue: kind), known != .knativeService else { return nil }
        return known
    }
}
