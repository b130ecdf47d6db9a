/// A JSON number, kept exactly.
///
/// Integers are kept as 64-bit integers (signed, or unsigned above `Int64.max`) and never pass through
/// `Double`, so resource versions, generations and byte counts survive unchanged. Other numbers are kept
/// as `Double`, which the parser reads with correct rounding and the writer prints as the shortest text
/// that reads back to the same value.
public enum JSONNumber: Sendable, CustomStringConvertible {
    case int(Int64)
    case uint(UInt64)
    case double(Double)

    /// The value as an `Int64`, when it is integral and fits.
    public var int64Value: Int64? {
        switch self {
        case .int(let value): return value
        case .uint(let value): return Int64(exactly: value)
        case .double(let value): return Int64(exactly: value)
        }
    }

    /// The value as a `Double` (rounded for integers beyond 2^53).
    public var doubleValue: Double {
        switch self {
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .double(let value): return value
        }
    }

    /// The JSON text of the number.
    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .uint(let value): return String(value)
        case .double(let value):
            guard value.isFinite else { return "null" }
            return "\(value)"
        }
    }
}

extension JSONNumber: Equatable {
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int, .uint), (.uint, .int): return false  // .uint only holds values above Int64.max
        case (.double(let a), _): return a == rhs.doubleValue && (rhs.isDouble || Int64(exactly: a) == rhs.int64Value)
        case (_, .double): return rhs == lhs
        }
    }

    private var isDouble: Bool {
        if case .double = self { return true }
        return false
    }
}
