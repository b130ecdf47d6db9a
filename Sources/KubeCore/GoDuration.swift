/// A duration in Go's `time.ParseDuration` syntax: `30s`, `1m30s`, `1.5h`, `300ms`, `-2h45m`, `0`.
///
/// Flagger's `interval`, metric `interval` and webhook `timeout` fields use this syntax. Encoding
/// writes Go's `time.Duration.String()` form (`1m30s`, `500ms`, `0s`).
public struct GoDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The duration.
    public var duration: Duration

    public init(_ duration: Duration) { self.duration = duration }

    /// Parses Go duration syntax.
    ///
    /// - Throws: ``GoDurationError`` naming what is wrong (`unknown unit "x" in duration "1x"`).
    public init(parsing text: String) throws(GoDurationError) {
        duration = try GoDuration.parse(text)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try GoDuration(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The duration in whole nanoseconds.
    public var nanoseconds: Int64 { duration.clampedNanoseconds }

    /// The duration in seconds.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.duration < rhs.duration }

    private static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    private static func parse(_ text: String) throws(GoDurationError) -> Duration {
        var rest = Substring(text)
        var sign = 1.0
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { throw GoDurationError(text: text, reason: "empty duration") }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", let value = Double(number) else {
                throw GoDurationError(text: text, reason: "expected a number at \"\(rest)\"")
            }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard !unit.isEmpty else { throw GoDurationError(text: text, reason: "missing unit") }
            guard let scale = units.first(where: { $0.0 == unit })?.1 else {
                throw GoDurationError(text: text, reason: "unknown unit \"\(unit)\"")
            }
            rest = rest.dropFirst(unit.count)
            total += value * scale
            // Go's limit: a duration is an int64 of nanoseconds (about 292 years). 2^63 itself does not fit.
            guard total < 0x1p63 else { throw GoDurationError(text: text, reason: "out of range (at most 2562047h47m16s)") }
        }
        guard let nanoseconds = Int64(exactly: (sign * total).rounded()) else {
            throw GoDurationError(text: text, reason: "out of range (at most 2562047h47m16s)")
        }
        return .nanoseconds(nanoseconds)
    }

    /// Go's `time.Duration.String()`.
    public var description: String {
        var nanos = nanoseconds
        if nanos == 0 { return "0s" }
        let negative = nanos < 0
        nanos = nanos.magnitude > UInt64(Int64.max) ? Int64.max : abs(nanos)
        var text: String
        if nanos < 1_000 {
            text = "\(nanos)ns"
        } else if nanos < 1_000_000 {
            text = GoDuration.decimal(nanos, scale: 1_000) + "µs"
        } else if nanos < 1_000_000_000 {
            text = GoDuration.decimal(nanos, scale: 1_000_000) + "ms"
        } else {
            let hours = nanos / 3_600_000_000_000
            let minutes = nanos / 60_000_000_000 % 60
            let seconds = GoDuration.decimal(nanos % 60_000_000_000, scale: 1_000_000_000) + "s"
            text = hours > 0 ? "\(hours)h\(minutes)m\(seconds)" : minutes > 0 ? "\(minutes)m\(seconds)" : seconds
        }
        return negative ? "-" + text : text
    }

    private static func decimal(_ value: Int64, scale: Int64) -> String {
        let whole = value / scale
        var fraction = String(value % scale)
        guard fraction != "0" else { return String(whole) }
        let width = String(scale).count - 1
        fraction = String(repeating: "0", count: width - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }
}

/// A string that is not a Go duration.
public struct GoDurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "invalid duration \"\(text)\": \(reason)" }
}
