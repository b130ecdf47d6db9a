import Synchronization

/// A compact binary form of `JSONValue` for a cache's objects: member names, and short strings that look
/// shared (`default`, `ClusterIP`, a label's value), are written once in a table the codec keeps and
/// referred to by number; numbers are varints; UIDs and times in 17 and 6 bytes (``CompactStringShape``). The objects of a cache repeat the same names in every
/// object, so this takes about half the bytes of their compact JSON, and it decodes without parsing text.
///
/// ## Guarantees
/// - `decode(encode(v)) == v` for every value, with its members' order and its numbers' kinds (`int`,
///   `uint`, `double`) kept.
/// - Bytes that were not written by this codec (or are cut short) decode to `nil`, never trap.
/// - Thread-safe: an encode takes the table's lock per string it looks up; a decode copies the table's
///   reference under it once.
/// - A ConfigMap's or Secret's payload (the top-level `data`, `binaryData`, `stringData`) never enters the
///   table: its names and values are the user's, and a Secret's values are credentials.
///
/// ## Caveats
/// The table only grows: a string that is no longer used keeps its entry. It holds at most ``tableLimit``
/// strings, value strings of at most ``internedLength`` bytes; once it is full, new strings are written inline.
public final class CompactJSONCodec: Sendable {
    /// The most strings the table holds.
    public static let tableLimit = 32_768
    /// The longest value string (in UTF-8 bytes) that goes into the table; member names of any length do.
    public static let internedLength = 48

    enum Tag: UInt8 {
        case null = 0, falseValue, trueValue, int, uint, double, inlineString, tableString, array, object
        /// A ``CompactStringShape``: a UID's 16 bytes, a time's seconds or milliseconds since 1970 as a varint.
        case uid, seconds, milliseconds
    }

    private let table = CompactStringTable(capacity: tableLimit)

    public init() {}

    /// How many strings the table holds.
    public var tableCount: Int { table.count }

    /// `value` in the compact form, in a buffer of its size.
    public func encode(_ value: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        write(value, to: &bytes, interning: true, topLevel: true)
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in count = buffer.initialize(fromContentsOf: bytes) }
    }

    /// The value `bytes` hold, or `nil` if this codec did not write them.
    public func decode(_ bytes: [UInt8]) -> JSONValue? {
        let strings = table.snapshot
        return bytes.withUnsafeBufferPointer { buffer in
            var reader = CompactJSONReader(bytes: buffer, strings: strings)
            guard let value = reader.readValue(depth: 0), reader.offset == buffer.count else { return nil }
            return value
        }
    }

    /// The members of an object's top level whose contents never enter the table.
    static let payloadMembers: Set<String> = ["data", "binaryData", "stringData"]

    func write(_ value: JSONValue, to bytes: inout [UInt8], interning: Bool, topLevel: Bool = false) {
        switch value {
        case .null: bytes.append(Tag.null.rawValue)
        case .bool(let flag): bytes.append(flag ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
        case .number(.int(let number)):
            bytes.append(Tag.int.rawValue)
            Self.writeVarint(UInt64(bitPattern: (number << 1) ^ (number >> 63)), to: &bytes)
        case .number(.uint(let number)):
            bytes.append(Tag.uint.rawValue)
            Self.writeVarint(number, to: &bytes)
        case .number(.double(let number)):
            bytes.append(Tag.double.rawValue)
            withUnsafeBytes(of: number.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        case .string(let string):
            if let shape = CompactStringShape(string) {
                Self.write(shape, to: &bytes)
            } else {
                writeString(string, to: &bytes, interning: interning && Self.shouldIntern(string))
            }
        case .array(let elements):
            bytes.append(Tag.array.rawValue)
            Self.writeVarint(UInt64(elements.count), to: &bytes)
            for element in elements { write(element, to: &bytes, interning: interning) }
        case .object(let members):
            bytes.append(Tag.object.rawValue)
            Self.writeVarint(UInt64(members.count), to: &bytes)
            for (name, member) in members {
                writeString(name, to: &bytes, interning: interning)
                write(member, to: &bytes, interning: interning && !(topLevel && Self.payloadMembers.contains(name)))
            }
        }
    }

    /// Whether a value string looks shared between objects: short, with few digits (not a UID, a time,
    /// an address or a hash).
    static func shouldIntern(_ string: String) -> Bool {
        // A native string knows its length: a long one is refused before its bytes are walked.
        let utf8 = string.utf8
        guard utf8.count <= internedLength else { return false }
        var digits = 0
        for byte in utf8 where byte &- 0x30 < 10 {
            digits += 1
            if digits > 3 { return false }
        }
        return true
    }

    func writeString(_ string: String, to bytes: inout [UInt8], interning: Bool) {
        if interning, let id = tableID(string) {
            bytes.append(Tag.tableString.rawValue)
            Self.writeVarint(UInt64(id), to: &bytes)
            return
        }
        bytes.append(Tag.inlineString.rawValue)
        let utf8 = string.utf8
        Self.writeVarint(UInt64(utf8.count), to: &bytes)
        bytes.append(contentsOf: utf8)
    }

    static func write(_ shape: CompactStringShape, to bytes: inout [UInt8]) {
        switch shape {
        case .uid(let packed):
            bytes.append(Tag.uid.rawValue)
            bytes.append(contentsOf: packed)
        case .seconds(let seconds):
            bytes.append(Tag.seconds.rawValue)
            writeVarint(seconds, to: &bytes)
        case .milliseconds(let milliseconds):
            bytes.append(Tag.milliseconds.rawValue)
            writeVarint(milliseconds, to: &bytes)
        }
    }

    /// `string`'s number in the table, entered now if new and the table is not full.
    func tableID(_ string: String) -> UInt32? { table.id(of: string) }

    static func writeVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}

/// Reads what ``CompactJSONCodec`` wrote; every read checks its bounds and returns `nil` past them.
struct CompactJSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let strings: UnsafeBufferPointer<String>
    var offset = 0
    /// Deeper than this is not something the codec wrote from a parsed document.
    static let maximumDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>, strings: UnsafeBufferPointer<String>) {
        self.bytes = bytes
        self.strings = strings
    }

    mutating func readValue(depth: Int) -> JSONValue? {
        guard depth <= Self.maximumDepth, offset < bytes.count, let tag = CompactJSONCodec.Tag(rawValue: bytes[offset]) else { return nil }
        offset += 1
        switch tag {
        case .null: return .null
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .int:
            guard let raw = readVarint() else { return nil }
            return .number(.int(Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)))
        case .uint: return readVarint().map { .number(.uint($0)) }
        case .double:
            guard bytes.count - offset >= 8 else { return nil }
            var pattern: UInt64 = 0
            for shift in 0..<8 { pattern |= UInt64(bytes[offset + shift]) << (8 * UInt64(shift)) }
            offset += 8
            return .number(.double(Double(bitPattern: pattern)))
        case .inlineString, .tableString:
            offset -= 1
            return readString().map(JSONValue.string)
        case .array: return readArray(depth: depth)
        case .object: return readObject(depth: depth)
        case .uid:
            guard bytes.count - offset >= 16 else { return nil }
            offset += 16
            return CompactStringShape.uid(Array(bytes[offset - 16..<offset])).string.map(JSONValue.string)
        case .seconds: return readVarint().flatMap { CompactStringShape.seconds($0).string }.map(JSONValue.string)
        case .milliseconds: return readVarint().flatMap { CompactStringShape.milliseconds($0).string }.map(JSONValue.string)
        }
    }

    mutating func readArray(depth: Int) -> JSONValue? {
        guard let count = readCount() else { return nil }
        var elements: [JSONValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            guard let element = readValue(depth: depth + 1) else { return nil }
            elements.append(element)
        }
        return .array(elements)
    }

    mutating func readObject(depth: Int) -> JSONValue? {
        guard let count = readCount() else { return nil }
        guard count <= Self.smallObject else { return readLargeObject(count: count, depth: depth) }
        var names: [String] = []
        var members: [JSONValue] = []
        names.reserveCapacity(count)
        members.reserveCapacity(count)
        for _ in 0..<count {
            guard let name = readString(), let member = readValue(depth: depth + 1) else { return nil }
            // A small ordered dictionary finds a key by comparing it with each; comparing lengths first
            // leaves few string comparisons (most of a decode's, when every insertion searched).
            let length = name.utf8.count
            guard !names.contains(where: { $0.utf8.count == length && $0 == name }) else { return nil }
            names.append(name)
            members.append(member)
        }
        return .object(JSONObject(uncheckedUniqueKeys: names, values: members))
    }

    /// Up to this many members, an ordered dictionary has no hash table and searches its keys in turn.
    static let smallObject = 15

    mutating func readLargeObject(count: Int, depth: Int) -> JSONValue? {
        var members = JSONObject(minimumCapacity: count)
        for _ in 0..<count {
            guard let name = readString(), let member = readValue(depth: depth + 1), members.updateValue(member, forKey: name) == nil else {
                return nil
            }
        }
        return .object(members)
    }

    mutating func readString() -> String? {
        guard offset < bytes.count else { return nil }
        let tag = bytes[offset]
        offset += 1
        if tag == CompactJSONCodec.Tag.tableString.rawValue {
            guard let id = readVarint(), id < UInt64(strings.count) else { return nil }
            return strings[Int(id)]
        }
        guard tag == CompactJSONCodec.Tag.inlineString.rawValue, let length = readCount() else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[offset..<offset + length])
        // ASCII (nearly every string) cannot be invalid: decoding it is a copy, where the generic validation
        // cost a thousand instructions a string.
        let string = slice.allSatisfy { $0 < 0x80 } ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self)
        offset += length
        return string
    }

    /// A varint that counts bytes or elements still to come: at most the bytes left.
    mutating func readCount() -> Int? {
        guard let count = readVarint(), count <= UInt64(bytes.count - offset) else { return nil }
        return Int(count)
    }

    mutating func readVarint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
