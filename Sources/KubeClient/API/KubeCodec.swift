import Foundation
import KubeCore

/// Turns response bytes into objects and objects into request bytes.
///
/// Types that are ``JSONRepresentable`` (``JSONValue``, ``DynamicObject``) go through the fast, lossless
/// parser; other `Codable` types through Foundation's coders.
enum KubeCodec {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: some Sequence<UInt8>) throws -> T {
        if let representable = T.self as? any JSONRepresentable.Type {
            return try representable.init(json: JSONValue(parsing: bytes)) as! T
        }
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    }

    static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue) throws -> T {
        if let representable = T.self as? any JSONRepresentable.Type {
            return try representable.init(json: json) as! T
        }
        return try json.decode(as: T.self)
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let representable = value as? any JSONRepresentable { return representable.json.serialized() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func decodeList<T: Decodable & Sendable>(_ type: T.Type, from bytes: some Sequence<UInt8>) throws -> ObjectList<T> {
        let json = try JSONValue(parsing: bytes)
        let items = try (json["items"]?.arrayValue ?? []).map { try decode(T.self, from: $0) }
        let metadata = ListMeta(
            resourceVersion: json[path: "metadata", "resourceVersion"]?.stringValue,
            continue: json[path: "metadata", "continue"]?.stringValue,
            remainingItemCount: json[path: "metadata", "remainingItemCount"]?.int64Value)
        return ObjectList(
            apiVersion: json["apiVersion"]?.stringValue, kind: json["kind"]?.stringValue, metadata: metadata, items: items)
    }
}
