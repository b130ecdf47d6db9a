import CanaryAPI

/// The outcome of one webhook call, as the decision sees it.
public struct HookResult: Sendable, Equatable {
    /// The webhook's `name`.
    public var name: String
    public var passed: Bool
    /// Why it failed: the answer's body or the transport error; empty when it passed.
    public var message: String

    public init(name: String, passed: Bool, message: String = "") {
        self.name = name
        self.passed = passed
        self.message = message
    }
}

/// A check the controller must run before the decision can be taken: ``Decision/pending``.
public enum Check: Sendable, Hashable {
    /// Call the Canary's webhooks of a type, in order, sending `phase` in the payload.
    case hooks(WebhookType, phase: CanaryPhase)
    /// The metric checks of one analysis step (built-in, inline and templated).
    case metrics
}
