import CanaryAPI

/// One alert: what happened to which Canary, in Flagger's shape (`Post(workload, namespace, message,
/// fields, severity)`).
public struct Alert: Sendable, Equatable {
    public enum Severity: String, Sendable { case info, warn, error }

    public var canary: String
    public var namespace: String
    public var message: String
    /// Name/value pairs shown under the message (target, failed checks, progress deadline…).
    public var fields: [(name: String, value: String)]
    public var severity: Severity

    public init(canary: String, namespace: String, message: String, fields: [(name: String, value: String)] = [], severity: Severity) {
        self.canary = canary
        self.namespace = namespace
        self.message = message
        self.fields = fields
        self.severity = severity
    }

    public static func == (lhs: Alert, rhs: Alert) -> Bool {
        lhs.canary == rhs.canary && lhs.namespace == rhs.namespace && lhs.message == rhs.message && lhs.severity == rhs.severity
            && lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }
}

/// Posts alerts to one chat or incident service. One conforming type per AlertProvider type, one file
/// each, registered in ``NotifierRegistry``.
public protocol Notifier: Sendable {
    /// Posts one alert; throws when the receiver does not answer with a 2xx.
    func post(_ alert: Alert) async throws
}
