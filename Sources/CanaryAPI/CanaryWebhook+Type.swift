/// When a webhook is called, Flagger's `spec.analysis.webhooks[].type`.
public enum WebhookType: String, Sendable, Hashable, CaseIterable {
    /// Before a new revision is scaled up; a failure holds the Canary in `Waiting`.
    case confirmRollout = "confirm-rollout"
    /// Once, before any traffic moves; a failure is a failed check.
    case preRollout = "pre-rollout"
    /// Every analysis step, before the metrics (the default type); a failure is a failed check.
    case rollout
    /// Before each weight increase; a failure holds the weight.
    case confirmTrafficIncrease = "confirm-traffic-increase"
    /// At the maximum weight, before the promotion; a failure holds the Canary in `WaitingPromotion`.
    case confirmPromotion = "confirm-promotion"
    /// After the rollout ended (`Succeeded` or `Failed`); a failure is only reported.
    case postRollout = "post-rollout"
    /// Every analysis step; a success rolls the Canary back.
    case rollback
    /// Every event about the Canary.
    case event

    /// Whether the remaining webhooks of this type are skipped after one that passed (`true`) or failed
    /// (`false`): gates and checks stop at the first failure, rollback hooks at the first success,
    /// post-rollout and event hooks all run.
    public func stops(afterPassing passed: Bool) -> Bool {
        switch self {
        case .postRollout, .event: return false
        case .rollback: return passed
        default: return !passed
        }
    }
}

extension CanaryWebhook {
    /// The webhook's type; an empty or missing `type` is `rollout`, as in Flagger. `nil` for an unknown type
    /// (which validation refuses).
    public var kind: WebhookType? {
        guard let type, !type.isEmpty else { return .rollout }
        return WebhookType(rawValue: type)
    }
}

extension Canary {
    /// The webhooks of one type, in the order of the spec.
    public func webhooks(of type: WebhookType) -> [CanaryWebhook] {
        (spec.analysis?.webhooks ?? []).filter { $0.kind == type }
    }
}
