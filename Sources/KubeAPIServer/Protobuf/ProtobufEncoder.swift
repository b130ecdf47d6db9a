import Foundation
import KubeCore

/// JSON → protobuf by the ``ProtobufSchema``: the inverse of ``ProtobufDecoder``, for clients that accept
/// only protobuf. Fields are written in number order, map entries by key, as Go's generated marshallers do.
/// JSON members the message does not have are not written (they would not survive a real server either).
struct ProtobufEncoder {
    let schema: ProtobufSchema

    /// Why an object cannot be written as its message.
    struct EncodingError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "failed to encode \(path) as protobuf: \(reason)" }
    }

    func encode(_ value: JSONValue, as message: ProtobufSchema.Message, path: String = "") throws(EncodingError) -> [UInt8] {
        var writer = ProtobufWire.Writer()
        if try special(message.name, value, into: &writer, path: path) { return writer.bytes }
        if message.isListWrapper, let items = message.fields.first {
            try write(items, value, into: &writer, path: path)
            return writer.bytes
        }
        guard case .object(let object) = value else { throw EncodingError(path: path, reason: "expected an object") }
        for field in message.fields.sorted(by: { $0.number < $1.number }) {
            let member = field.inline ? value : object[field.json]
            guard let member, !member.isNull else { continue }
            try write(field, member, into: &writer, path: path.isEmpty ? field.json : "\(path).\(field.json)")
        }
        return writer.bytes
    }

    private func write(
        _ field: ProtobufSchema.Field, _ value: JSONValue, into writer: inout ProtobufWire.Writer, path: String
    )
        throws(EncodingError)
    {
        if field.repeated {
            guard case .array(let elements) = value else { throw EncodingError(path: path, reason: "expected an array") }
            for (offset, element) in elements.enumerated() {
                try scalar(field.type, element, number: field.number, into: &writer, path: "\(path)[\(offset)]")
            }
        } else if case .map(let keyType, let valueType) = field.type {
            guard case .object(let members) = value else { throw EncodingError(path: path, reason: "expected an object") }
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                var entry = ProtobufWire.Writer()
                try scalar(keyType, .string(key), number: 1, into: &entry, path: path)
                try scalar(valueType, member, number: 2, into: &entry, path: "\(path).\(key)")
                writer.bytes(field.number, entry.bytes)
            }
        } else {
            try scalar(field.type, value, number: field.number, into: &writer, path: path)
        }
    }

    private func scalar(
        _ type: ProtobufSchema.FieldType, _ value: JSONValue, number: Int, into writer: inout ProtobufWire.Writer,
        path: String
    ) throws(EncodingError) {
        func integer() throws(EncodingError) -> Int64 {
            guard let integer = value.int64Value else { throw EncodingError(path: path, reason: "expected an integer") }
            return integer
        }
        switch type {
        case .string:
            guard let text = value.stringValue else { throw EncodingError(path: path, reason: "expected a string") }
            writer.bytes(number, Array(text.utf8))
        case .bytes:
            guard let text = value.stringValue, let data = Data(base64Encoded: text) else {
                throw EncodingError(path: path, reason: "expected base64 text")
            }
            writer.bytes(number, Array(data))
        case .bool:
            guard let flag = value.boolValue else { throw EncodingError(path: path, reason: "expected a boolean") }
            writer.varint(number, flag ? 1 : 0)
        case .int32, .int64: writer.varint(number, UInt64(bitPattern: try integer()))
        case .double:
            guard let double = value.doubleValue else { throw EncodingError(path: path, reason: "expected a number") }
            writer.fixed64(number, double.bitPattern)
        case .float:
            guard let double = value.doubleValue else { throw EncodingError(path: path, reason: "expected a number") }
            writer.fixed32(number, Float(double).bitPattern)
        case .message(let name):
            guard let message = schema.messages[name] else { throw EncodingError(path: path, reason: "unknown message \(name)") }
            writer.bytes(number, try encode(value, as: message, path: path))
        case .map: throw EncodingError(path: path, reason: "a map inside a map")
        }
    }

    /// The kinds whose JSON is not their fields; `false` when `name` is an ordinary message.
    private func special(
        _ name: String, _ value: JSONValue, into writer: inout ProtobufWire.Writer, path: String
    )
        throws(EncodingError) -> Bool
    {
        switch name {
        case "meta.v1.Time", "meta.v1.MicroTime":
            guard let text = value.stringValue, let time = KubeTime(rfc3339: text) else {
                throw EncodingError(path: path, reason: "expected an RFC 3339 time")
            }
            let seconds = time.date.timeIntervalSince1970.rounded(.down)
            writer.varint(1, UInt64(bitPattern: Int64(seconds)))
            let nanos = Int64(((time.date.timeIntervalSince1970 - seconds) * 1e9).rounded())
            if nanos > 0 && name == "meta.v1.MicroTime" { writer.varint(2, UInt64(nanos)) }
        case "meta.v1.Duration":
            guard let text = value.stringValue else { throw EncodingError(path: path, reason: "expected a duration") }
            do {
                writer.varint(1, UInt64(bitPattern: try GoDuration(parsing: text).nanoseconds))
            } catch {
                throw EncodingError(path: path, reason: error.description)
            }
        case "util.intstr.IntOrString":
            if let integer = value.int64Value {
                writer.varint(1, 0)
                writer.varint(2, UInt64(bitPattern: integer))
            } else if let text = value.stringValue {
                writer.varint(1, 1)
                writer.bytes(3, Array(text.utf8))
            } else {
                throw EncodingError(path: path, reason: "expected an integer or a string")
            }
        case "api.resource.Quantity":
            let text: String
            switch value {
            case .string(let string): text = string
            case .number(let number): text = number.description
            default: throw EncodingError(path: path, reason: "expected a quantity")
            }
            writer.bytes(1, Array(text.utf8))
        case "runtime.RawExtension", "meta.v1.FieldsV1": writer.bytes(1, value.serialized())
        default: return false
        }
        return true
    }
}
