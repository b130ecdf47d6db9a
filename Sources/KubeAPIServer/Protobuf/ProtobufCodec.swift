import Foundation
import KubeCore

/// Kubernetes' protobuf bodies (`application/vnd.kubernetes.protobuf`): the `k8s\0` magic, then a
/// `runtime.Unknown` whose `typeMeta` names the kind and whose `raw` is the object's message.
///
/// The store keeps JSON; this turns a protobuf request body into the JSON object a real API server would
/// store, and a JSON answer into protobuf for a client that accepts nothing else.
enum ProtobufCodec {
    static let mediaType = "application/vnd.kubernetes.protobuf"
    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]  // "k8s\0"

    /// The object a protobuf request body holds, with its `apiVersion` and `kind`.
    static func object(fromBody body: [UInt8], schema: ProtobufSchema = .shared) throws(APIError) -> JSONValue {
        guard body.starts(with: magic) else {
            throw APIError.badRequest("the request body is not Kubernetes protobuf: it does not start with the k8s\\0 magic")
        }
        do {
            var apiVersion = "", kind = "", raw: ArraySlice<UInt8> = []
            var reader = ProtobufWire.Reader(body[magic.count...])
            while let (number, value) = try reader.next() {
                guard case .bytes(let bytes) = value else { continue }
                if number == 2 { raw = bytes }
                if number == 1 {
                    var typeMeta = ProtobufWire.Reader(bytes)
                    while let (field, text) = try typeMeta.next() {
                        guard case .bytes(let string) = text else { continue }
                        if field == 1 { apiVersion = String(decoding: string, as: UTF8.self) }
                        if field == 2 { kind = String(decoding: string, as: UTF8.self) }
                    }
                }
            }
            guard let message = schema.message(apiVersion: apiVersion, kind: kind) else {
                throw APIError.unsupportedMediaType("the sandbox cannot decode \(kind) (\(apiVersion)) from protobuf; send it as JSON")
            }
            var object = try ProtobufDecoder(schema: schema).decode(raw, as: message)
            object["apiVersion"] = .string(apiVersion)
            object["kind"] = .string(kind)
            return reordered(object)
        } catch let error as ProtobufWire.MalformedError {
            throw APIError.badRequest("the request body is not valid protobuf: \(error.reason)")
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("\(error)")
        }
    }

    /// `value` as a protobuf body, when it names a built-in kind; `nil` otherwise (a custom resource, a Table, discovery).
    static func body(for value: JSONValue, schema: ProtobufSchema = .shared) throws(ProtobufEncoder.EncodingError) -> [UInt8]? {
        guard let apiVersion = value["apiVersion"]?.stringValue, let kind = value["kind"]?.stringValue,
            let message = schema.message(apiVersion: apiVersion, kind: kind)
        else { return nil }
        var typeMeta = ProtobufWire.Writer()
        typeMeta.bytes(1, Array(apiVersion.utf8))
        typeMeta.bytes(2, Array(kind.utf8))
        var unknown = ProtobufWire.Writer()
        unknown.bytes(1, typeMeta.bytes)
        unknown.bytes(2, try ProtobufEncoder(schema: schema).encode(value, as: message))
        return magic + unknown.bytes
    }

    /// Whether an `Accept` header takes protobuf but not JSON.
    static func wantsProtobufOnly(accept: String?) -> Bool {
        guard let accept, accept != "application/json" else { return false }  // what controllers send, on every request
        let types = accept.split(separator: ",").map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        let takesJSON = types.contains { ["application/json", "*/*", "application/*"].contains($0) || $0.hasPrefix("application/json") }
        return !takesJSON && types.contains(mediaType)
    }

    /// `apiVersion`, `kind` and `metadata` first, as Kubernetes writes objects.
    private static func reordered(_ object: JSONValue) -> JSONValue {
        guard case .object(let members) = object else { return object }
        var result: JSONObject = [:]
        for key in ["apiVersion", "kind", "metadata"] { result[key] = members[key] }
        for (key, value) in members where result[key] == nil { result[key] = value }
        return .object(result)
    }
}
