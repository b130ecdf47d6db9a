import Foundation

/// A Kubernetes timestamp (`metav1.Time` / `metav1.MicroTime`): RFC 3339 in UTC.
///
/// Parsing accepts fractional seconds and numeric offsets; encoding writes whole seconds
/// (`2006-01-02T15:04:05Z`), as the API server does for `metav1.Time`, or microseconds when
/// ``precision`` is `.microseconds`.
public struct KubeTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// How the timestamp is written.
    public enum Precision: Sendable, Hashable { case seconds, microseconds }

    public var date: Date
    public var precision: Precision

    public init(_ date: Date, precision: Precision = .seconds) {
        self.date = date
        self.precision = precision
    }

    /// Parses an RFC 3339 timestamp.
    public init?(rfc3339 text: String) {
        guard let date = KubeTime.parse(text) else { return nil }
        self.init(date, precision: text.utf8.contains(UInt8(ascii: ".")) ? .microseconds : .seconds)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = KubeTime(rfc3339: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid RFC 3339 timestamp \"\(text)\""))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        switch precision {
        case .seconds: return RFC3339.format(date, fraction: false) ?? date.formatted(KubeTime.secondsStyle)
        case .microseconds: return RFC3339.format(date, fraction: true) ?? date.formatted(KubeTime.microsecondsStyle)
        }
    }

    public static func < (lhs: KubeTime, rhs: KubeTime) -> Bool { lhs.date < rhs.date }

    public static func == (lhs: KubeTime, rhs: KubeTime) -> Bool { lhs.date == rhs.date }

    public func hash(into hasher: inout Hasher) { hasher.combine(date) }

    private static let secondsStyle = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let microsecondsStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    private static func parse(_ text: String) -> Date? {
        if let date = RFC3339.parse(text) { return date }  // the API server's own forms, without Foundation
        if let date = try? secondsStyle.parse(text) { return date }
        if let date = try? microsecondsStyle.parse(text) { return date }
        // Fractions longer than milliseconds: parse whole seconds, then add the fraction.
        guard let dot = text.firstIndex(of: "."),
            let end = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        else { return nil }
        let whole = String(text[..<dot]) + String(text[end...])
        guard let base = try? secondsStyle.parse(whole), let fraction = Double("0" + text[dot..<end]) else { return nil }
        return base.addingTimeInterval(fraction)
    }
}
