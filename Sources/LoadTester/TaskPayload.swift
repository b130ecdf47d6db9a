import KubeCore

/// A webhook call as the load tester reads it: Flagger's payload.
struct TaskPayload: Sendable, Equatable {
    var name: String
    var namespace: String
    var phase: String
    var checksum: String
    var type: String
    var metadata: [String: String]

    /// The canary, as `name.namespace` (Flagger's gate key).
    var canary: String { "\(name).\(namespace)" }

    /// Phases after which a canary's commands are no longer wanted.
    static let finishedPhases: Set<String> = ["Succeeded", "Failed", "Terminating", "Terminated"]

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(parsing bytes: [UInt8]) throws(Invalid) {
        let json: JSONValue
        do { json = try JSONValue(parsing: bytes) } catch { throw Invalid(description: "invalid JSON payload: \(error)") }
        guard case .object = json else { throw Invalid(description: "the payload must be a JSON object") }
        name = json["name"]?.stringValue ?? ""
        namespace = json["namespace"]?.stringValue ?? ""
        phase = json["phase"]?.stringValue ?? ""
        checksum = json["checksum"]?.stringValue ?? ""
        type = json["type"]?.stringValue ?? ""
        var metadata: [String: String] = [:]
        if case .object(let object) = json["metadata"] ?? .null {
            for (key, value) in object {
                switch value {
                case .string(let text): metadata[key] = text
                case .null: break
                default: metadata[key] = String(decoding: value.serialized(), as: UTF8.self)
                }
            }
        }
        self.metadata = metadata
    }
}
