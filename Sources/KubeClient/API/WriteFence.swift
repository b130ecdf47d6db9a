/// Guards every write a client makes (POST, PUT, PATCH, DELETE); reads are never fenced.
///
/// Leader election installs one so that a replica that is not (or no longer surely) the leader cannot
/// write, whatever else is still running in it.
public protocol WriteFence: Sendable {
    /// Throws when writes are not allowed now.
    func checkWrite(verb: String, url: String) throws
}

/// A write refused by a ``WriteFence``.
public struct WriteFencedError: Error, Sendable, CustomStringConvertible {
    public var verb: String
    public var url: String
    public var reason: String

    public init(verb: String, url: String, reason: String) {
        self.verb = verb
        self.url = url
        self.reason = reason
    }

    public var description: String { "failed to \(verb) \(url): write refused: \(reason)" }
}
