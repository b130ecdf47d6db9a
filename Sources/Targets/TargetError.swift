/// A target workload that cannot be handled, with what is wrong.
public struct TargetError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Whether waiting cannot help until the user changes the target (the default); otherwise it is retried
    /// (an object not in the cache yet).
    public var terminal: Bool
    public init(_ message: String, terminal: Bool = true) {
        self.message = message
        self.terminal = terminal
    }
    public var description: String { message }
}
