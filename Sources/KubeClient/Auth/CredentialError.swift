/// Credentials that could not be obtained: a token file that cannot be read, an exec plugin that failed.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    /// The step that failed, for example `run exec plugin "aws"`.
    public var step: String
    /// Why it failed.
    public var reason: String

    public init(step: String, reason: String) {
        self.step = step
        self.reason = reason
    }

    public var description: String { "failed to \(step): \(reason)" }
}
