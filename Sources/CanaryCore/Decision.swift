import CanaryAPI

/// What to do: actions in order, then one status write, then when to look again.
///
/// Or, when ``pending`` is set, nothing yet: the decision needs the outcome of a check (a webhook call, a
/// metric query). The controller runs it, adds the outcome to the observation, and decides again.
public struct Decision: Sendable, Equatable {
    /// The check to run before deciding; `actions` and `status` are meaningless while it is set.
    public var pending: Check?
    public var actions: [CanaryAction]
    /// The status to write (written only when it differs from the current one).
    public var status: CanaryStatus
    /// When to reconcile again even if nothing changes; `nil` waits for a change.
    public var requeueAfter: Duration?
    /// The Canary's `serin.dev/request` was handled (carried out or refused now, recorded in
    /// `status.lastHandledRequest`; or before, and seen again): remove it after the status.
    public var clearsRequest = false
    /// Nothing but time (or a change of the Canary or of a workload's spec) can change what comes next: a
    /// workload's status changing before `requeueAfter` need not wake the Canary
    /// (``CanaryStateMachine/waitsForTimeAlone(_:_:)``).
    public var waitsForTimeAlone = false

    public init(actions: [CanaryAction] = [], status: CanaryStatus, requeueAfter: Duration? = nil) {
        self.actions = actions
        self.status = status
        self.requeueAfter = requeueAfter
    }

    /// A decision that first needs the outcome of `check`.
    static func needs(_ check: Check, status: CanaryStatus) -> Decision {
        var decision = Decision(status: status)
        decision.pending = check
        return decision
    }

    /// The events among the actions, for tests and logs.
    public var events: [String] {
        actions.compactMap { if case .event(_, let message) = $0 { return message } else { return nil } }
    }
}

/// One step the controller carries out for a decision.
public enum CanaryAction: Sendable, Equatable {
    /// Set the mesh weights.
    case setRoutes(Routes)
    /// Scale the target to zero replicas.
    case scaleTargetToZero
    /// Scale the target up from zero (to its own replicas, else the primary's).
    case scaleTargetUp
    /// Scale the target (the canary) to this many replicas (an `analysis.steps` `setCanaryScale`).
    case scaleTarget(Int)
    /// Copy the target's pod template (and settings) to the primary.
    case promote
    /// Give the primary back the template it ran before its last promotion (`kubectl serin undo`).
    case restorePrevious
    /// Record a Kubernetes Event (reason `Synced`, as Flagger).
    case event(EventSeverity, String)
    /// Call the Canary's webhooks of a type (post-rollout) and report each outcome as an event.
    case runHooks(WebhookType, phase: CanaryPhase)
    /// Create the baseline (`analysis.baseline`) if missing: `<target>-baseline` running the primary's
    /// template at the canary's size, and its Service; or resize it to the canary's replicas.
    case applyBaseline
    /// Delete the baseline's Deployment and Service (those the Canary controls).
    case deleteBaseline
    /// Create the previous version (`analysis.bake.keepPrevious`) if missing: `<target>-previous` running the
    /// template the primary ran before its promotion, at the primary's size, and its Service; or resize it.
    case applyPrevious
    /// Delete the previous version's Deployment and Service (those the Canary controls).
    case deletePrevious
    /// Ask every rollout policy governing the Canary for a slot (joining its queue).
    case acquireSlot
    /// Give the slots (and queue places) of the rollout policies back.
    case releaseSlot
    /// Remove Serin's finalizer, letting the API server delete the Canary (and collect what it owns).
    case removeFinalizer
}

public enum EventSeverity: String, Sendable, Equatable {
    case normal = "Normal"
    case warning = "Warning"
}
