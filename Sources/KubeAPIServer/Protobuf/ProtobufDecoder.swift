import Foundation
import KubeCore

/// Protobuf → the JSON a real API server would hold for the same object, by the ``ProtobufSchema``.
///
/// Go's JSON rules are followed: a zero scalar that is neither a pointer nor kept by its field (`omitempty`)
/// is dropped, `metav1.Time` becomes RFC 3339, `IntOrString` a number or a string, `Quantity` its text, bytes
/// base64, raw extensions and `FieldsV1` their embedded JSON, inlined messages merge into their parent.
/// Unknown field numbers are skipped, as Go's decoder does.
struct ProtobufDecoder {
    let schema: ProtobufSchema
    /// Deeper nesting than this is refused rather than recursed into.
    var maximumDepth = 200

    func decode(
        _ bytes: ArraySlice<UInt8>, as message: ProtobufSchema.Message, depth: Int = 0
    ) throws(ProtobufWire.MalformedError)
        -> JSONValue
    {
        guard depth < maximumDepth else { throw .init(reason: "nested deeper than \(maximumDepth) messages") }
        if let special = try special(message.name, bytes) { return special }
        var values: [Int: JSONValue] = [:]
        // Lists and maps grow in place, made JSON once at the end: a 100,000-key map is never copied per key.
        var lists: [Int: [JSONValue]] = [:]
        var maps: [Int: JSONObject] = [:]
        var reader = ProtobufWire.Reader(bytes)
        while let (number, raw) = try reader.next() {
            guard let index = message.byNumber[number] else { continue }
            let field = message.fields[index]
            if field.repeated {
                lists[index, default: []].append(contentsOf: try elements(field, raw, depth: depth))
            } else if case .map(let keyType, let valueType) = field.type {
                let (key, value) = try entry(raw, key: keyType, value: valueType, depth: depth)
                maps[index, default: [:]][key] = value
            } else {
                values[index] = try value(field.type, raw, field: field, depth: depth)
            }
        }
        for (index, list) in lists { values[index] = .array(list) }
        for (index, map) in maps { values[index] = .object(map) }
        if message.isListWrapper { return values[0] ?? .array([]) }
        var object: JSONObject = [:]
        for (index, field) in message.fields.enumerated() {
            guard let value = values[index], !value.isNull else { continue }
            if field.inline, case .object(let members) = value {
                object.merge(members) { first, _ in first }
            } else if field.repeated || field.pointer || !field.omitEmpty || !ProtobufDecoder.isZero(value) {
                object[field.json] = value
            }
        }
        return .object(object)
    }

    private func elements(
        _ field: ProtobufSchema.Field, _ raw: ProtobufWire.Value, depth: Int
    ) throws(ProtobufWire.MalformedError)
        -> [JSONValue]
    {
        // Packed numbers: one length-delimited run of values.
        if case .bytes(let run) = raw, ProtobufDecoder.isPackable(field.type) {
            var reader = ProtobufWire.Reader(run)
            var values: [JSONValue] = []
            while !reader.isAtEnd {
                let element: ProtobufWire.Value =
                    switch field.type {
                    case .double: .fixed64(try reader.fixed(8))
                    case .float: .fixed32(UInt32(truncatingIfNeeded: try reader.fixed(4)))
                    default: .varint(try reader.varint())
                    }
                values.append(try value(field.type, element, field: field, depth: depth))
            }
            return values
        }
        return [try value(field.type, raw, field: field, depth: depth)]
    }

    private func entry(
        _ raw: ProtobufWire.Value, key: ProtobufSchema.FieldType, value valueType: ProtobufSchema.FieldType, depth: Int
    )
        throws(ProtobufWire.MalformedError) -> (String, JSONValue)
    {
        guard case .bytes(let bytes) = raw else { throw .init(reason: "a map entry is not length-delimited") }
        var reader = ProtobufWire.Reader(bytes)
        var key = ""
        var value: JSONValue = ProtobufDecoder.zero(valueType)
        while let (number, raw) = try reader.next() {
            if number == 1 { key = try self.value(.string, raw, field: nil, depth: depth).stringValue ?? "" }
            if number == 2 { value = try self.value(valueType, raw, field: nil, depth: depth) }
        }
        return (key, value)
    }

    private func value(
        _ type: ProtobufSchema.FieldType, _ raw: ProtobufWire.Value, field: ProtobufSchema.Field?, depth: Int
    )
        throws(ProtobufWire.MalformedError) -> JSONValue
    {
        let name = field?.json ?? "map value"
        switch (type, raw) {
        case (.string, .bytes(let bytes)): return .string(String(decoding: bytes, as: UTF8.self))
        case (.bytes, .bytes(let bytes)): return .string(Data(bytes).base64EncodedString())
        case (.bool, .varint(let bits)): return .bool(bits != 0)
        case (.int32, .varint(let bits)): return .int(Int32(truncatingIfNeeded: bits))
        case (.int64, .varint(let bits)): return .int(Int64(bitPattern: bits))
        case (.double, .fixed64(let bits)): return .double(Double(bitPattern: bits))
        case (.float, .fixed32(let bits)): return .double(Double(Float(bitPattern: bits)))
        case (.message(let message), .bytes(let bytes)):
            guard let nested = schema.messages[message] else { throw .init(reason: "field \(name) has the unknown type \(message)") }
            return try decode(bytes, as: nested, depth: depth + 1)
        default: throw .init(reason: "field \(name) has the wrong wire type for \(type)")
        }
    }

    /// The kinds whose JSON is not their fields.
    private func special(_ name: String, _ bytes: ArraySlice<UInt8>) throws(ProtobufWire.MalformedError) -> JSONValue? {
        guard ProtobufDecoder.specialNames.contains(name) else { return nil }
        var fields: [Int: ProtobufWire.Value] = [:]
        var reader = ProtobufWire.Reader(bytes)
        while let (number, raw) = try reader.next() { fields[number] = raw }
        func integer(_ number: Int) -> Int64 {
            if case .varint(let bits) = fields[number] { return Int64(bitPattern: bits) }
            return 0
        }
        func text(_ number: Int) -> String? {
            if case .bytes(let raw) = fields[number] { return String(decoding: raw, as: UTF8.self) }
            return nil
        }
        switch name {
        case "meta.v1.Time", "meta.v1.MicroTime":
            let seconds = integer(1), nanos = integer(2)
            if seconds == 0 && nanos == 0 { return .null }
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9)
            return .string(KubeTime(date, precision: name == "meta.v1.Time" ? .seconds : .microseconds).description)
        case "meta.v1.Duration": return .string(GoDuration(.nanoseconds(integer(1))).description)
        case "util.intstr.IntOrString": return integer(1) == 1 ? .string(text(3) ?? "") : .int(Int32(truncatingIfNeeded: integer(2)))
        case "api.resource.Quantity": return .string(text(1) ?? "0")
        default:  // runtime.RawExtension, meta.v1.FieldsV1: embedded JSON
            guard case .bytes(let raw) = fields[1], !raw.isEmpty else { return .null }
            do { return try JSONValue(parsing: Array(raw)) } catch { throw .init(reason: "embedded JSON in \(name): \(error)") }
        }
    }

    static let specialNames: Set<String> = [
        "meta.v1.Time", "meta.v1.MicroTime", "meta.v1.Duration", "util.intstr.IntOrString", "api.resource.Quantity",
        "runtime.RawExtension", "meta.v1.FieldsV1",
    ]

    /// Numbers, which a repeated field may send packed in one length-delimited run.
    static func isPackable(_ type: ProtobufSchema.FieldType) -> Bool {
        switch type {
        case .bool, .int32, .int64, .double, .float: return true
        case .string, .bytes, .message, .map: return false
        }
    }

    static func zero(_ type: ProtobufSchema.FieldType) -> JSONValue {
        switch type {
        case .string, .bytes: return .string("")
        case .bool: return .bool(false)
        case .int32, .int64: return .int(0)
        case .double, .float: return .double(0)
        case .message, .map: return .object([:])
        }
    }

    static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return text.isEmpty
        case .bool(let flag): return !flag
        case .number(let number): return number.doubleValue == 0
        default: return false
        }
    }
}
