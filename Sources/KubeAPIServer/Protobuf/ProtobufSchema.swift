import KubeCore

/// The protobuf messages of Kubernetes' built-in kinds, as a table generated from `k8s.io/api` and
/// `k8s.io/apimachinery` (``table``, written by `scripts/gen-protobuf-table.py`).
///
/// Each field knows its number, its JSON name, its type, and what Go does with it: whether it is a
/// pointer (a zero value is meaningful and kept) or `omitempty` (a zero value is dropped) and whether it is
/// inlined in JSON (`VolumeSource` in `Volume`). That is what it takes to turn the protobuf kubectl sends
/// into the JSON a real API server would store, and back.
///
/// Guarantees: lookups never trap; a kind not in the table has no message (the caller answers JSON or
/// refuses the body by name).
struct ProtobufSchema: Sendable {
    /// One message.
    struct Message: Sendable {
        var name: String
        /// Fields in declaration order (their numbers may not be ascending).
        var fields: [Field]
        /// A Go slice type wrapped for protobuf (`ExtraValue`, `Verbs`): its JSON is the array of its items.
        var isListWrapper: Bool
        var byNumber: [Int: Int]
    }

    struct Field: Sendable {
        var number: Int
        var json: String
        var type: FieldType
        var repeated: Bool
        /// A Go pointer: a zero value was set on purpose and is kept.
        var pointer: Bool
        /// Go's `omitempty`: a zero value is not written to JSON.
        var omitEmpty: Bool
        /// Go's `json:",inline"`: the message's fields sit in the parent object.
        var inline: Bool
    }

    indirect enum FieldType: Sendable {
        case string, bytes, bool, int32, int64, double, float
        case message(String)
        case map(key: FieldType, value: FieldType)
    }

    let messages: [String: Message]

    /// The table parsed once.
    static let shared = ProtobufSchema(table: ProtobufSchema.table)

    init(table: String) {
        var messages: [String: Message] = [:]
        for line in table.split(separator: "\n") {
            var words = line.split(separator: " ").map(String.init)
            guard !words.isEmpty else { continue }
            let name = words.removeFirst()
            let wrapper = words.first == "W"
            if wrapper { words.removeFirst() }
            let fields = words.compactMap(ProtobufSchema.field)
            let byNumber = Dictionary(fields.enumerated().map { ($0.element.number, $0.offset) }, uniquingKeysWith: { first, _ in first })
            messages[name] = Message(name: name, fields: fields, isListWrapper: wrapper, byNumber: byNumber)
        }
        self.messages = messages
    }

    /// The message of a kind served as `apiVersion` (`v1`, `apps/v1`, `rbac.authorization.k8s.io/v1`), if it is built in.
    func message(apiVersion: String, kind: String) -> Message? {
        let parts = apiVersion.split(separator: "/").map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "")
        if kind == "Status" || kind == "DeleteOptions" || kind == "WatchEvent" { return messages["meta.v1.\(kind)"] }
        if kind == "Scale" { return messages["autoscaling.v1.Scale"] }
        guard let package = ProtobufSchema.packages[group] else { return nil }
        return messages["\(package).\(version).\(kind)"]
    }

    /// API groups → the package their messages are generated in.
    static let packages: [String: String] = [
        "": "core", "apps": "apps", "batch": "batch", "autoscaling": "autoscaling", "policy": "policy",
        "networking.k8s.io": "networking", "rbac.authorization.k8s.io": "rbac", "coordination.k8s.io": "coordination",
        "discovery.k8s.io": "discovery", "events.k8s.io": "events", "authorization.k8s.io": "authorization",
        "authentication.k8s.io": "authentication",
    ]

    /// `number=json:type[:flags]`.
    private static func field(_ word: String) -> Field? {
        guard let equals = word.firstIndex(of: "="), let number = Int(word[..<equals]) else { return nil }
        let parts = word[word.index(after: equals)...].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, let type = fieldType(parts[1]) else { return nil }
        let flags = parts.count > 2 ? parts[2] : ""
        return Field(
            number: number, json: parts[0], type: type, repeated: flags.contains("*"), pointer: flags.contains("p"),
            omitEmpty: flags.contains("o"), inline: flags.contains("i"))
    }

    private static func fieldType(_ code: String) -> FieldType? {
        switch code.first {
        case "s": return .string
        case "b": return .bytes
        case "t": return .bool
        case "i": return .int32
        case "l": return .int64
        case "d": return .double
        case "f": return .float
        case "m": return .message(String(code.dropFirst()))
        case "M":
            let pair = code.dropFirst().split(separator: ",", maxSplits: 1).map(String.init)
            guard pair.count == 2, let key = fieldType(pair[0]), let value = fieldType(pair[1]) else { return nil }
            return .map(key: key, value: value)
        default: return nil
        }
    }
}
