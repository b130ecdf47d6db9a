import KubeCore

/// The API server answered with an error `Status`.
///
/// Match on ``reason`` (`.notFound`, `.conflict`, …); the server's own `Status`, with field causes for
/// `Invalid`, is in ``status``.
public struct KubeAPIError: Error, Sendable, CustomStringConvertible {
    /// The kinds of API error a controller reacts to differently.
    public enum Reason: Sendable, Equatable {
        case badRequest
        case unauthorized
        case forbidden
        case notFound
        case alreadyExists
        /// A stale `resourceVersion` (optimistic concurrency) or another conflicting change.
        case conflict
        /// The requested `resourceVersion` is older than the server keeps: relist.
        case gone
        /// The object failed validation; see ``KubeAPIError/causes``.
        case invalid
        /// Rate limited by the server; see ``KubeAPIError/retryAfter``.
        case tooManyRequests
        case serverError
        case other
    }

    public var reason: Reason
    /// The server's `Status`.
    public var status: KubeStatus
    /// `GET`, `WATCH`, `PATCH`, …
    public var verb: String
    public var url: String
    /// How long the server asked to wait (`Retry-After`), when it did.
    public var retryAfter: Duration?

    public init(status: KubeStatus, verb: String, url: String, retryAfter: Duration? = nil) {
        self.status = status
        self.verb = verb
        self.url = url
        self.retryAfter = retryAfter
        self.reason = KubeAPIError.reason(code: status.code ?? 0, statusReason: status.reason)
    }

    /// The field-level causes of the failure (for ``Reason/invalid``).
    public var causes: [KubeStatus.Cause] { status.details?.causes ?? [] }

    public var isNotFound: Bool { reason == .notFound }
    public var isConflict: Bool { reason == .conflict }
    public var isGone: Bool { reason == .gone }
    public var isAlreadyExists: Bool { reason == .alreadyExists }

    /// Whether trying again later can succeed (conflicts, rate limits, server errors).
    public var isRetryable: Bool { [.conflict, .tooManyRequests, .serverError, .gone].contains(reason) }

    public var description: String { "failed to \(verb) \(url): \(status)" }

    static func reason(code: Int, statusReason: String?) -> Reason {
        switch (code, statusReason) {
        case (_, "Expired"), (_, "Gone"), (410, _): return .gone
        case (_, "AlreadyExists"): return .alreadyExists
        case (_, "NotFound"), (404, _): return .notFound
        case (_, "Conflict"), (409, _): return .conflict
        case (_, "Invalid"), (422, _): return .invalid
        case (_, "Forbidden"), (403, _): return .forbidden
        case (_, "Unauthorized"), (401, _): return .unauthorized
        case (_, "TooManyRequests"), (429, _): return .tooManyRequests
        case (_, "BadRequest"), (400, _): return .badRequest
        case (500..., _): return .serverError
        default: return .other
        }
    }
}

/// The request did not get an API answer: the server could not be reached, or its answer could not be read.
public struct KubeClientError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable { case transport, decoding, encoding, credentials }

    private let code: Code
    /// What was being done, for example `GET https://10.0.0.1:6443/api/v1/namespaces`.
    public let step: String
    /// The underlying error.
    public let underlying: any Error

    public static func transport(_ step: String, _ error: any Error) -> KubeClientError {
        KubeClientError(code: .transport, step: step, underlying: error)
    }
    public static func decoding(_ step: String, _ error: any Error) -> KubeClientError {
        KubeClientError(code: .decoding, step: step, underlying: error)
    }
    public static func encoding(_ step: String, _ error: any Error) -> KubeClientError {
        KubeClientError(code: .encoding, step: step, underlying: error)
    }
    public static func credentials(_ step: String, _ error: any Error) -> KubeClientError {
        KubeClientError(code: .credentials, step: step, underlying: error)
    }

    /// Whether the server could not be reached or the connection broke (worth retrying).
    public var isTransport: Bool { code == .transport }

    public var description: String {
        switch code {
        case .transport: return "failed to \(step): \(underlying)"
        case .decoding: return "failed to decode the response of \(step): \(underlying)"
        case .encoding: return "failed to encode the body of \(step): \(underlying)"
        case .credentials: return "failed to authenticate \(step): \(underlying)"
        }
    }
}
