import Foundation

/// Encodes `Encodable` types straight into a ``JSONValue``, without writing JSON text and parsing it back.
///
/// ## Guarantees
/// - The document is the one Foundation's `JSONEncoder` with `.sortedKeys` writes, parsed: members sorted by
///   their UTF-8 bytes, a whole `Double` written as an integer, `Data` as base64, `URL` as its absolute string,
///   `Decimal` as a number, `Date` as its own encoding (seconds since 2001); `JSONValueEncoderTests` compares
///   both on the API's types.
/// - A non-finite `Double` or `Float` is an `EncodingError.invalidValue` naming the path, as `JSONEncoder`'s.
/// - A `JSONValue` member is taken as it is: member order and exact numbers kept (`JSONEncoder` sorts its
///   members too).
struct JSONValueEncoder: Encoder {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.makeObject()
        return KeyedEncodingContainer(KeyedSlotContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.makeArray()
        return UnkeyedSlotContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleSlotContainer(slot: slot, codingPath: codingPath) }

    /// Encodes a top-level value.
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let slot = EncodingSlot()
        try encode(value, into: slot, path: [])
        guard let json = slot.json else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return json
    }

    /// A string or an integer, kept as a value in its container (no slot, no path): most members are.
    ///
    /// Types are told apart by identity, and the value reinterpreted as the type it is: a dynamic cast
    /// (`as?`) per member cost more than the rest of its encoding.
    static func leaf<T: Encodable>(_ value: T) -> JSONValue? {
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return .number(.int(Int64(unsafeBitCast(value, to: Int.self)))) }
        if T.self == JSONValue.self { return unsafeBitCast(value, to: JSONValue.self) }
        return nil
    }

    /// Encodes one value of any type into `slot`, with `JSONEncoder`'s special cases.
    static func encode<T: Encodable>(_ value: T, into slot: EncodingSlot, path: [any CodingKey]) throws {
        if let leaf = leaf(value) { return slot.set(leaf) }
        if T.self == Bool.self { return slot.set(.bool(unsafeBitCast(value, to: Bool.self))) }
        if T.self == Double.self { return slot.set(try number(unsafeBitCast(value, to: Double.self), path)) }
        if T.self == Data.self { return slot.set(.string(unsafeBitCast(value, to: Data.self).base64EncodedString())) }
        if T.self == URL.self { return slot.set(.string(unsafeBitCast(value, to: URL.self).absoluteString)) }
        if T.self == Decimal.self { return slot.set(.number(JSONValueEncoder.number(unsafeBitCast(value, to: Decimal.self)))) }
        try value.encode(to: JSONValueEncoder(slot: slot, codingPath: path))
    }

    /// A `Double` as `JSONEncoder` writes it: a whole value as an integer; not-a-number and infinities refused.
    static func number(_ value: Double, _ path: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "Unable to encode \(value) directly in JSON."))
        }
        // `JSONEncoder` writes a whole value below 1e16 without its `.0` (above, Swift writes an exponent).
        if value == value.rounded(), abs(value) < 1e16, let whole = Int64(exactly: value) { return .number(.int(whole)) }
        return .number(.double(value))
    }

    static func number(_ value: Decimal) -> JSONNumber {
        let text = value.description
        if let whole = Int64(text) { return .int(whole) }
        if let whole = UInt64(text) { return .uint(whole) }
        return .double(Double(text) ?? 0)
    }
}

/// Where one encoded value goes: a value, or the members or elements containers add to it. Strings, numbers
/// and flags are kept as values in their parent; only a member that is itself encoded gets a slot.
final class EncodingSlot {
    enum Entry {
        case value(JSONValue)
        case slot(EncodingSlot)

        var json: JSONValue {
            switch self {
            case .value(let value): value
            case .slot(let slot): slot.json ?? .object([:])
            }
        }
    }

    private enum Content {
        case empty
        case value(JSONValue)
        case members([(key: String, entry: Entry)])
        case elements([Entry])
    }

    private var content = Content.empty

    func set(_ value: JSONValue) { content = .value(value) }

    /// Makes this slot an object, keeping the members of another keyed container on it.
    func makeObject() {
        if case .members = content {} else { content = .members([]) }
    }

    /// Makes this slot an array, keeping the elements of another unkeyed container on it.
    func makeArray() {
        if case .elements = content {} else { content = .elements([]) }
    }

    func add(_ key: String, _ entry: Entry) {
        guard case .members(var members) = content else { return }
        content = .empty  // keeps the array uniquely referenced while it grows
        members.append((key, entry))
        content = .members(members)
    }

    func add(_ entry: Entry) {
        guard case .elements(var elements) = content else { return }
        content = .empty
        elements.append(entry)
        content = .elements(elements)
    }

    /// A new slot for the member `key` (a later member of the same key replaces it).
    func member(_ key: String) -> EncodingSlot {
        let slot = EncodingSlot()
        add(key, .slot(slot))
        return slot
    }

    func element() -> EncodingSlot {
        let slot = EncodingSlot()
        add(.slot(slot))
        return slot
    }

    var elementCount: Int {
        if case .elements(let elements) = content { return elements.count }
        return 0
    }

    /// The encoded value; `nil` when nothing was encoded into it.
    var json: JSONValue? {
        switch content {
        case .empty: return nil
        case .value(let value): return value
        case .members(let members):
            // Sorted by UTF-8 as `.sortedKeys`; of two members with one key, the later one is kept.
            let order = members.indices.sorted { a, b in
                members[a].key == members[b].key ? a < b : members[a].key.utf8.lexicographicallyPrecedes(members[b].key.utf8)
            }
            var object = JSONObject(minimumCapacity: members.count)
            for index in order { object[members[index].key] = members[index].entry.json }
            return .object(object)
        case .elements(let elements): return .array(elements.map(\.json))
        }
    }
}
