/// The API server's `Status` object: the body of every error response and of watch `ERROR` events.
public struct KubeStatus: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ListMeta?
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// A machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, …
    public var reason: String?
    public var details: Details?
    /// The HTTP status code.
    public var code: Int?

    /// Extra data about the failure, with the field-level causes of an `Invalid` error.
    public struct Details: Codable, Sendable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]?
        public var retryAfterSeconds: Int?

        public init(
            name: String? = nil, group: String? = nil, kind: String? = nil, causes: [Cause]? = nil,
            retryAfterSeconds: Int? = nil
        ) {
            self.name = name
            self.group = group
            self.kind = kind
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// One cause of a failure, usually naming the field at fault.
    public struct Cause: Codable, Sendable, Equatable {
        /// For example `FieldValueRequired` or `FieldValueInvalid`.
        public var reason: String?
        public var message: String?
        /// The path of the field at fault, for example `metadata.name`.
        public var field: String?

        public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    public init(
        code: Int, reason: String, message: String, details: Details? = nil, status: String = "Failure"
    ) {
        self.kind = "Status"
        self.apiVersion = "v1"
        self.metadata = ListMeta()
        self.status = status
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String {
        let causes = (details?.causes ?? []).map { cause in
            [cause.field, cause.message].compactMap { $0 }.joined(separator: ": ")
        }
        let base = "\(reason ?? "Unknown") (\(code.map(String.init) ?? "?")): \(message ?? "no message")"
        return causes.isEmpty ? base : base + " [" + causes.joined(separator: "; ") + "]"
    }
}
