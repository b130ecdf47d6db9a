import OrderedCollections

/// The members of a JSON object, in document order.
public typealias JSONObject = OrderedDictionary<String, JSONValue>

/// A lossless JSON document.
///
/// `JSONValue` is how Serin holds objects it does not fully model: every field survives a
/// decode → encode round trip, integers keep all 64 bits (``JSONNumber``), floating-point numbers
/// keep their exact value, and object members keep their order.
///
/// Equality is JSON equality: object members compare regardless of order and numbers compare by value.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

// MARK: - Accessors

extension JSONValue {
    /// The member `key` of an object, or `nil` when this is not an object or has no such member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let members) = self else { return nil }
            return members[key]
        }
        set {
            guard case .object(var members) = self else {
                guard let newValue else { return }
                self = .object([key: newValue])
                return
            }
            self = .null  // release the storage so the mutation below happens in place
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The element at `index` of an array, or `nil` when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The value at a path of object keys, for example `value[path: "spec", "template", "metadata"]`.
    public subscript(path keys: String...) -> JSONValue? {
        get { self[pathComponents: keys[...]] }
        set { self[pathComponents: keys[...]] = newValue }
    }

    /// The value at a path of object keys given as a slice.
    public subscript(pathComponents keys: ArraySlice<String>) -> JSONValue? {
        get {
            guard let first = keys.first else { return self }
            return self[first]?[pathComponents: keys.dropFirst()]
        }
        set {
            guard let first = keys.first else {
                self = newValue ?? .null
                return
            }
            if keys.count == 1 {
                self[first] = newValue
                return
            }
            var child = self[first] ?? .object([:])
            child[pathComponents: keys.dropFirst()] = newValue
            self[first] = child
        }
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The Boolean, when this is a Boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number as an `Int64`, when it is an integer that fits.
    public var int64Value: Int64? {
        if case .number(let number) = self { return number.int64Value }
        return nil
    }

    /// The number as an `Int`, when it is an integer that fits.
    public var intValue: Int? { int64Value.map { Int($0) } }

    /// The number as a `Double`, when this is a number.
    public var doubleValue: Double? {
        if case .number(let number) = self { return number.doubleValue }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

// MARK: - Equality

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        default: return false
        }
    }
}

// MARK: - Literals

// Deliberately not `ExpressibleByNilLiteral`: with it, `optionalValue == nil` would compare against JSON
// `null` instead of testing for a missing member. Write `.null` for JSON null.
extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(.int(value)) }
    public init(floatLiteral value: Double) { self = .number(.double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue {
    /// A JSON integer.
    public static func int<I: BinaryInteger>(_ value: I) -> JSONValue {
        if let signed = Int64(exactly: value) { return .number(.int(signed)) }
        return .number(.uint(UInt64(value)))
    }

    /// A JSON floating-point number.
    public static func double(_ value: Double) -> JSONValue { .number(.double(value)) }
}
