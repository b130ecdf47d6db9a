/// A sandbox that could not start or be driven.
public struct SandboxError: Error, Sendable, CustomStringConvertible {
    public var step: String
    public var reason: String
    public var description: String { "failed to \(step): \(reason)" }

    public init(step: String, reason: String) {
        self.step = step
        self.reason = reason
    }
}
