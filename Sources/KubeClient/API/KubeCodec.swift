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
        return try JSONValue(parsing: bytes).decode(as: T.self)
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

    /// A list; an item that cannot be decoded (nested too deep, a field that does not fit) is skipped and
    /// named in ``ObjectList/skipped`` instead of failing the whole list.
    static func decodeList<T: Decodable & Sendable>(
        _ type: T.Type, from bytes: some Sequence<UInt8>, withoutManagedFields: Bool = false
    ) throws -> ObjectList<T> {
        let json = try parseTolerantly(bytes, withoutManagedFields: withoutManagedFields)
        var items: [T] = []
        var skipped: [SkippedObject] = []
        for item in json["items"]?.arrayValue ?? [] {
            switch decodeOrSkip(T.self, from: item) {
            case .success(let object): items.append(object)
            case .failure(let skip): skipped.append(skip)
            }
        }
        let metadata = ListMeta(
            resourceVersion: json[path: "metadata", "resourceVersion"]?.stringValue,
            continue: json[path: "metadata", "continue"]?.stringValue,
            remainingItemCount: json[path: "metadata", "remainingItemCount"]?.int64Value)
        return ObjectList(
            apiVersion: json["apiVersion"]?.stringValue, kind: json["kind"]?.stringValue, metadata: metadata, items: items, skipped: skipped)
    }

    /// Parses a document; when it is nested too deep, parses it again with the too-deep parts pruned
    /// (``JSONValue/pruned``), so the objects in it that can be read still are. `withoutManagedFields`: each
    /// object's `metadata.managedFields` is skipped, not built.
    static func parseTolerantly(_ bytes: some Sequence<UInt8>, withoutManagedFields: Bool = false) throws -> JSONValue {
        func parse(pruning: Bool) throws -> JSONValue {
            if withoutManagedFields { return try JSONValue(parsingWithoutManagedFields: bytes, pruningTooDeep: pruning) }
            return try pruning ? JSONValue(parsingPruningTooDeep: bytes) : JSONValue(parsing: bytes)
        }
        do {
            return try parse(pruning: false)
        } catch let error as JSONParseError {
            guard let pruned = try? parse(pruning: true) else { throw error }
            return pruned
        }
    }

    /// One object, or the reason it cannot be read, naming it.
    static func decodeOrSkip<T: Decodable & Sendable>(_ type: T.Type, from object: JSONValue) -> Result<T, SkippedObject> {
        if object.containsPruned {
            return .failure(SkippedObject(object, reason: "nesting deeper than \(JSONValue.maximumDepth) levels"))
        }
        do {
            return .success(try decode(T.self, from: object))
        } catch let error as DecodingError {
            return .failure(SkippedObject(object, reason: "failed to decode: \(error.fieldMessage)"))
        } catch {
            return .failure(SkippedObject(object, reason: "failed to decode: \(error)"))
        }
    }
}
