import CanaryAPI

/// What to do: actions in order, then one status write, then when to look again.
public struct Decision: Sendable, Equatable {
    public var actions: [CanaryAction]
    /// The status to write (written only when it differs from the current one).
    public var status: CanaryStatus
    /// When to reconcile again even if nothing changes; `nil` waits for a change.
    public var requeueAfter: Duration?

    public init(actions: [CanaryAction] = [], status: CanaryStatus, requeueAfter: Duration? = nil) {
        self.actions = actions
        self.status = status
        self.requeueAfter = requeueAfter
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
    /// Copy the target's pod template (and settings) to the primary.
    case promote
    /// Record a Kubernetes Event (reason `Synced`, as Flagger).
    case event(EventSeverity, String)
    /// Remove Serin's finalizer, letting the API server delete the Canary (and collect what it owns).
    case removeFinalizer
}

public enum EventSeverity: String, Sendable, Equatable {
    case normal = "Normal"
    case warning = "Warning"
}

/// Which checks the controller must run before deciding.
public enum RequiredChecks: Sendable, Equatable {
    case none
    /// The analysis of one step: webhooks of type rollout, built-in and templated metrics.
    case analysis
}
