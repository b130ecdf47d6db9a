/// Why a request on one of ``PooledHTTPTransport``'s connections failed.
public enum HTTP1TransportError: Error, CustomStringConvertible, Equatable {
    /// The connection closed before the answer was complete.
    case connectionClosed
    /// No complete answer within the request's timeout.
    case timedOut(Duration)
    /// The answer's body is larger than the client reads into memory.
    case bodyTooLarge(limit: Int)
    /// A header value holds a line break or a NUL, which would end the header early.
    case invalidHeaderValue(name: String)
    /// The TLS settings could not be turned into a TLS context.
    case tlsSetup(String)

    public var description: String {
        switch self {
        case .connectionClosed: "the connection closed before the answer was complete"
        case .timedOut(let timeout): "no answer within \(timeout)"
        case .bodyTooLarge(let limit): "the answer's body is larger than \(limit) bytes"
        case .invalidHeaderValue(let name): "the value of header \(name) holds a line break or a NUL"
        case .tlsSetup(let cause): "failed to set up TLS: \(cause)"
        }
    }
}
