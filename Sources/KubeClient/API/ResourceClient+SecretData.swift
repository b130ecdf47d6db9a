import Foundation
import KubeCore

extension ResourceClient where Object == JSONValue {
    /// The data of the Secret `name`, each value decoded from base64 as UTF-8 (a value that is not base64
    /// is left out). Read on each call: a rotated credential is used at once.
    public func secretData(_ name: String, namespace: String) async throws -> [String: String] {
        let secret = try await get(name, namespace: namespace)
        var data: [String: String] = [:]
        for (key, value) in secret["data"]?.objectValue ?? [:] {
            if let encoded = value.stringValue, let decoded = Data(base64Encoded: encoded) { data[key] = String(decoding: decoded, as: UTF8.self) }
        }
        return data
    }
}
