import KubeCore

/// Serin: a step's own checks (`analysis.steps[].analysis`), run at each check of that step besides the
/// analysis's: metrics as in `analysis.metrics`, rollout webhooks as in `analysis.webhooks` (a load test at
/// one weight). Keys it does not know are kept to be refused by name, never dropped.
public struct StepAnalysis: Codable, Sendable, Equatable {
    public var metrics: [CanaryMetric]?
    public var webhooks: [CanaryWebhook]?
    /// Keys of the object other than `metrics` and `webhooks` (not encoded).
    public var unknownFields: [String] = []

    public init(metrics: [CanaryMetric]? = nil, webhooks: [CanaryWebhook]? = nil) {
        self.metrics = metrics
        self.webhooks = webhooks
    }

    enum CodingKeys: String, CodingKey { case metrics, webhooks }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metrics = try container.decodeIfPresent([CanaryMetric].self, forKey: .metrics)
        webhooks = try container.decodeIfPresent([CanaryWebhook].self, forKey: .webhooks)
        unknownFields = try UnknownKeys.of(decoder, known: ["metrics", "webhooks"])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(metrics, forKey: .metrics)
        try container.encodeIfPresent(webhooks, forKey: .webhooks)
    }
}

extension Canary {
    /// The Canary as its checks see it now: while an `analysis.steps` step with its own `analysis` is under
    /// way, its metrics and webhooks join the analysis's. Pure.
    public func withStepChecks() -> Canary {
        guard let steps = spec.analysis?.steps, let index = status?.currentStep, steps.indices.contains(index) else { return self }
        return adding(steps[index].analysis)
    }

    /// With every step's checks (to check once, before a rollout, that each template it names can be used).
    public func withEveryStepsChecks() -> Canary {
        (spec.analysis?.steps ?? []).reduce(self) { $0.adding($1.analysis) }
    }

    private func adding(_ checks: StepAnalysis?) -> Canary {
        guard let checks, spec.analysis != nil else { return self }
        var canary = self
        canary.spec.analysis?.metrics = (spec.analysis?.metrics ?? []) + (checks.metrics ?? [])
        canary.spec.analysis?.webhooks = (spec.analysis?.webhooks ?? []) + (checks.webhooks ?? [])
        return canary
    }
}
