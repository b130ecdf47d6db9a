/// A metric that could not be read.
public struct MetricError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case noValues, multipleValues, notFinite, render, query, configuration }

    public var kind: Kind
    public var message: String
    /// The `templateVariables` key whose value was refused, for a render error about one.
    public var variable: String?

    public static let noValues = MetricError(kind: .noValues, message: "no values found")
    public static let multipleValues = MetricError(kind: .multipleValues, message: "multiple values returned")
    /// The provider answered a value no threshold can judge: `+Inf`, `-Inf` (NaN is "no values", as in Flagger).
    public static func notFinite(_ text: String) -> MetricError {
        MetricError(kind: .notFinite, message: "the query returned \(text), not a finite number")
    }
    public static func render(_ message: String) -> MetricError { MetricError(kind: .render, message: message) }
    public static func query(_ message: String) -> MetricError { MetricError(kind: .query, message: message) }
    public static func configuration(_ message: String) -> MetricError { MetricError(kind: .configuration, message: message) }

    public var description: String { message }
}
