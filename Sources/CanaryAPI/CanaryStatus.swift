import KubeCore

/// The phases of a Canary, with Flagger's names.
public enum CanaryPhase: String, Codable, Sendable, CaseIterable {
    case initializing = "Initializing"
    case initialized = "Initialized"
    case waiting = "Waiting"
    case progressing = "Progressing"
    case waitingPromotion = "WaitingPromotion"
    case promoting = "Promoting"
    case finalising = "Finalising"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case terminating = "Terminating"
    case terminated = "Terminated"
}

/// `status` of a Canary: the only memory of a rollout.
public struct CanaryStatus: Codable, Sendable, Equatable {
    public var phase: CanaryPhase?
    public var failedChecks: Int?
    public var canaryWeight: Int?
    public var iterations: Int?
    public var trackedConfigs: [String: String]?
    /// The hash of the target's pod template last seen.
    public var lastAppliedSpec: String?
    /// The hash of the pod template the primary runs.
    public var lastPromotedSpec: String?
    public var lastTransitionTime: String?
    public var conditions: [CanaryCondition]?
    /// Session affinity: the cookie (`name=value`) pinning users to the canary of this analysis.
    public var sessionAffinityCookie: String?
    /// Session affinity: the cookie of the last analysis, expired on users' browsers after it ended.
    public var previousSessionAffinityCookie: String?
    /// Session affinity with `primaryCookieName`: the cookie pinning users who reached the primary during
    /// this analysis to the primary.
    public var primarySessionAffinityCookie: String?
    /// Serin: the last analysis steps, what was checked and decided (``JournalEntry``).
    public var journal: [JournalEntry]?
    /// Serin: the fingerprint (``ControlRequest/fingerprint(of:)``) of the last `serin.dev/request` the
    /// operator handled, written with the status that carries the request out (or refuses it): a request
    /// seen again — its removal not yet observed, or failed — is only removed, never decided twice.
    public var lastHandledRequest: String?
    /// Serin: when the analysis of the current revision started (RFC 3339): a compared metric's window never
    /// reaches back before it, into the previous revision's data.
    public var analysisStarted: String?
    /// Serin: when the bake of the promoted revision started (RFC 3339; `analysis.bake`): set while the
    /// Canary is `Finalising` with the new primary at full traffic, unset otherwise.
    public var bakeStarted: String?
    /// Serin: inconclusive steps in a row (compared metrics); at `inconclusiveLimit` the Canary pauses.
    public var inconclusiveSteps: Int?
    /// Serin: passed steps in a row at weight 0, counted toward `consecutiveSuccessLimit`.
    public var consecutiveSuccesses: Int?

    /// Serin: the index of the `analysis.steps` step under way (0-based); unset before the first and outside an analysis.
    public var currentStep: Int?
    /// Serin: when that step started (RFC 3339): a timed pause runs from it.
    public var stepStarted: String?

    public init(phase: CanaryPhase? = nil) { self.phase = phase }

    /// This status with its numbers held to the ranges Serin writes (a weight within 0–100, counts within
    /// 0–`Int32.max`), so that a status edited by hand cannot overflow a decision.
    public func bounded() -> CanaryStatus {
        var status = self
        status.canaryWeight = canaryWeight.map { min(max($0, 0), 100) }
        status.failedChecks = failedChecks.map { min(max($0, 0), Int(Int32.max)) }
        status.iterations = iterations.map { min(max($0, 0), Int(Int32.max)) }
        status.inconclusiveSteps = inconclusiveSteps.map { min(max($0, 0), Int(Int32.max)) }
        status.consecutiveSuccesses = consecutiveSuccesses.map { min(max($0, 0), Int(Int32.max)) }
        status.currentStep = currentStep.map { min(max($0, 0), Int(Int32.max)) }
        return status
    }

    /// The condition of `type`, if any.
    public func condition(_ type: String) -> CanaryCondition? { conditions?.first { $0.type == type } }
}

/// A status condition (Flagger writes one, `Promoted`; Serin adds `Valid`).
public struct CanaryCondition: Codable, Sendable, Equatable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastUpdateTime: String?
    public var lastTransitionTime: String?

    public init(type: String, status: String, reason: String?, message: String?, lastUpdateTime: String?, lastTransitionTime: String?) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastUpdateTime = lastUpdateTime
        self.lastTransitionTime = lastTransitionTime
    }
}
