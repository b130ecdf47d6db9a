/// Decodes `Decodable` types straight from a ``JSONValue``, without Foundation's coders.
///
/// ## Guarantees
/// - Every error names the field by its path (`spec.service.port`) and says what was wrong with the value
///   (`expected an integer, got 8000.5`, `1e+30 is out of range for Int`): numbers are converted with
///   checks, never with a trapping conversion.
/// - A `JSONValue` member of the decoded type is the document's own value (member order and exact numbers
///   kept), not a re-parse.
/// - No depth limit of its own: the document is already parsed.
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw JSONValueDecoder.mismatch("an object", value, codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw JSONValueDecoder.mismatch("an array", value, codingPath) }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(value: value, codingPath: codingPath) }

    /// The error for a value of the wrong kind.
    static func mismatch(_ expected: String, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: path, debugDescription: "expected \(expected), got \(value.kindDescription)"))
    }

    /// Decodes one value of any type, checking numbers. The path is built only when it is needed (an error,
    /// or a type that decodes members of its own): most members are strings, numbers and flags.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, path: @autoclosure () -> [any CodingKey]) throws -> T {
        // Metadata compared by identity: cheaper than a cast per candidate type, for every member decoded.
        if T.self == JSONValue.self { return value as! T }
        if T.self == String.self {
            guard case .string(let text) = value else { throw mismatch("a string", value, path()) }
            return text as! T
        }
        if T.self == Bool.self {
            guard case .bool(let flag) = value else { throw mismatch("a boolean", value, path()) }
            return flag as! T
        }
        if T.self == Int.self { return try integer(Int.self, value, path()) as! T }
        if T.self == Double.self { return try number(value, path()).doubleValue as! T }
        if T.self == Float.self { return Float(try number(value, path()).doubleValue) as! T }
        if T.self == Int64.self { return try integer(Int64.self, value, path()) as! T }
        if T.self == Int32.self { return try integer(Int32.self, value, path()) as! T }
        if T.self == Int16.self { return try integer(Int16.self, value, path()) as! T }
        if T.self == Int8.self { return try integer(Int8.self, value, path()) as! T }
        if T.self == UInt.self { return try integer(UInt.self, value, path()) as! T }
        if T.self == UInt64.self { return try integer(UInt64.self, value, path()) as! T }
        if T.self == UInt32.self { return try integer(UInt32.self, value, path()) as! T }
        if T.self == UInt16.self { return try integer(UInt16.self, value, path()) as! T }
        if T.self == UInt8.self { return try integer(UInt8.self, value, path()) as! T }
        return try T(from: JSONValueDecoder(value: value, codingPath: path()))
    }

    private static func number(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> JSONNumber {
        guard case .number(let number) = value else { throw mismatch("a number", value, path()) }
        return number
    }

    private static func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> I {
        let number = try number(value, path())
        let converted: I?
        switch number {
        case .int(let integer): converted = I(exactly: integer)
        case .uint(let integer): converted = I(exactly: integer)
        case .double(let double):
            guard double.isFinite, double == double.rounded() else {
                throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "expected an integer, got \(number)"))
            }
            converted = I(exactly: double)
        }
        guard let converted else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "\(number) is out of range for \(I.self)"))
        }
        return converted
    }
}

extension JSONValue {
    /// What kind of value this is, with the value when it is short: `the number 8000.5`, `an object`.
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return "the boolean \(flag)"
        case .number(let number): return "the number \(number)"
        case .string(let text): return text.count <= 40 ? "the string \"\(text)\"" : "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: JSONObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func decodeNil(forKey key: Key) throws -> Bool { members[key.stringValue].map { $0 == .null } ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decodeValue(T.self, forKey: key) }

    func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required"))
        }
        if case .null = value, T.self != JSONValue.self {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath + [key], debugDescription: "required, got null"))
        }
        return try JSONValueDecoder.decode(T.self, from: value, path: codingPath + [key])
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try decodeIfPresentValue(T.self, forKey: key) }

    func decodeIfPresentValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue] else { return nil }
        if case .null = value, T.self != JSONValue.self { return nil }
        return try JSONValueDecoder.decode(T.self, from: value, path: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { JSONValueDecoder(value: .object(members), codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }
    private var indexKey: any CodingKey { IndexKey(intValue: currentIndex) }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(T.self) }

    mutating func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath + [indexKey], debugDescription: "the array has no more elements"))
        }
        let value = try JSONValueDecoder.decode(T.self, from: elements[currentIndex], path: codingPath + [indexKey])
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }

    private mutating func next() throws -> JSONValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, .init(codingPath: codingPath + [indexKey], debugDescription: "the array has no more elements"))
        }
        defer { currentIndex += 1 }
        return JSONValueDecoder(value: elements[currentIndex], codingPath: codingPath + [indexKey])
    }
}

struct SingleContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONValueDecoder.decode(T.self, from: value, path: codingPath) }
}

/// An array index as a coding key.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
}

extension DecodingError {
    /// The error as "field: problem", the field as a path (`spec.analysis.webhooks[0].timeout`).
    public var fieldMessage: String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): \(context.debugDescription.hasPrefix("expected") ? context.debugDescription : "expected \(type)")"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)): required"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): required"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}
