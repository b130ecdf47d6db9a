import Foundation

/// The members of an object being encoded.
struct KeyedSlotContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    func encodeNil(forKey key: Key) { slot.add(key.stringValue, .value(.null)) }
    func encode(_ value: Bool, forKey key: Key) { slot.add(key.stringValue, .value(.bool(value))) }
    func encode(_ value: String, forKey key: Key) { slot.add(key.stringValue, .value(.string(value))) }
    func encode(_ value: Int, forKey key: Key) { slot.add(key.stringValue, .value(.number(.int(Int64(value))))) }
    func encode(_ value: Double, forKey key: Key) throws { slot.add(key.stringValue, .value(try JSONValueEncoder.number(value, codingPath + [key]))) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let leaf = JSONValueEncoder.leaf(value) { return slot.add(key.stringValue, .value(leaf)) }
        try JSONValueEncoder.encode(value, into: slot.member(key.stringValue), path: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let member = slot.member(key.stringValue)
        member.makeObject()
        return KeyedEncodingContainer(KeyedSlotContainer<NestedKey>(slot: member, codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let member = slot.member(key.stringValue)
        member.makeArray()
        return UnkeyedSlotContainer(slot: member, codingPath: codingPath + [key])
    }

    func superEncoder() -> any Encoder { JSONValueEncoder(slot: slot.member("super"), codingPath: codingPath + [SlotKey(stringValue: "super")]) }

    func superEncoder(forKey key: Key) -> any Encoder { JSONValueEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key]) }
}

/// The elements of an array being encoded.
struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var count: Int { slot.elementCount }

    private var nextPath: [any CodingKey] { codingPath + [SlotKey(intValue: count)] }

    func encodeNil() { slot.add(.value(.null)) }
    func encode(_ value: Bool) { slot.add(.value(.bool(value))) }
    func encode(_ value: String) { slot.add(.value(.string(value))) }
    func encode(_ value: Int) { slot.add(.value(.number(.int(Int64(value))))) }
    func encode(_ value: Double) throws { slot.add(.value(try JSONValueEncoder.number(value, nextPath))) }

    func encode<T: Encodable>(_ value: T) throws {
        if let leaf = JSONValueEncoder.leaf(value) { return slot.add(.value(leaf)) }
        let path = nextPath
        try JSONValueEncoder.encode(value, into: slot.element(), path: path)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let element = slot.element()
        element.makeObject()
        return KeyedEncodingContainer(KeyedSlotContainer<NestedKey>(slot: element, codingPath: path))
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let element = slot.element()
        element.makeArray()
        return UnkeyedSlotContainer(slot: element, codingPath: path)
    }

    func superEncoder() -> any Encoder {
        let path = nextPath
        return JSONValueEncoder(slot: slot.element(), codingPath: path)
    }
}

/// One value being encoded.
struct SingleSlotContainer: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    func encodeNil() { slot.set(.null) }
    func encode(_ value: Bool) { slot.set(.bool(value)) }
    func encode(_ value: String) { slot.set(.string(value)) }
    func encode(_ value: Double) throws { slot.set(try JSONValueEncoder.number(value, codingPath)) }
    func encode(_ value: Float) throws {
        // As `JSONEncoder`: the shortest text of the `Float` (0.1, not 0.10000000149011612).
        slot.set(try JSONValueEncoder.number(value.isFinite ? Double("\(value)") ?? Double(value) : Double(value), codingPath))
    }
    func encode(_ value: Int) { slot.set(.number(.int(Int64(value)))) }
    func encode(_ value: Int8) { slot.set(.number(.int(Int64(value)))) }
    func encode(_ value: Int16) { slot.set(.number(.int(Int64(value)))) }
    func encode(_ value: Int32) { slot.set(.number(.int(Int64(value)))) }
    func encode(_ value: Int64) { slot.set(.number(.int(value))) }
    func encode(_ value: UInt) { encode(UInt64(value)) }
    func encode(_ value: UInt8) { slot.set(.number(.int(Int64(value)))) }
    func encode(_ value: UInt16) { slot.set(.number(.int(Int64(value)))) }
    func encode(_ value: UInt32) { slot.set(.number(.int(Int64(value)))) }
    func encode(_ value: UInt64) { slot.set(.number(Int64(exactly: value).map(JSONNumber.int) ?? .uint(value))) }

    func encode<T: Encodable>(_ value: T) throws { try JSONValueEncoder.encode(value, into: slot, path: codingPath) }
}

/// A coding key of the encoder's own: `super` and array indexes in paths.
struct SlotKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }
}
