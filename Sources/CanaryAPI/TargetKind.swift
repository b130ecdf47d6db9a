/// The kind of workload a Canary ships: `spec.targetRef.kind` (default `Deployment`).
public enum TargetKind: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case deployment = "Deployment", daemonSet = "DaemonSet", service = "Service"

    public var description: String { rawValue }
}

extension Canary {
    /// The target's kind; `nil` for a kind Flagger does not know either (a validation issue).
    public var targetKind: TargetKind? {
        guard let kind = spec.targetRef?.kind, !kind.isEmpty else { return .deployment }
        return TargetKind(rawValue: kind)
    }
}
