/// A metric that could not be read.
public struct MetricError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case noValues, multipleValues, render, query, configuration }

    public var kind: Kind
    public var message: String

    public static let noValues = MetricError(kind: .noValues, message: "no values found")
    public static let multipleValues = MetricError(kind: .multipleValues, message: "multiple values returned")
    public static func render(_ message: String) -> MetricError { MetricError(kind: .render, message: message) }
    public static func query(_ message: String) -> MetricError { MetricError(kind: .query, message: message) }
    public static func configuration(_ message: String) -> MetricError { MetricError(kind: .configuration, message: message) }

    public var description: String { message }
}
