/// A target workload that cannot be handled, with what is wrong.
public struct TargetError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
