import KubeCore

/// The keys of a decoded object that its type does not know: kept to be refused by name, never dropped.
enum UnknownKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The keys of the object `decoder` reads other than `known`, sorted.
    static func of(_ decoder: any Decoder, known: Set<String>) throws -> [String] {
        try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
    }
}

extension UnknownKeys {
    /// `json` as an object whose keys are all in `known`; each other key, or a value that is not an object,
    /// is an issue naming its field.
    static func object(_ json: JSONValue, known: [String], _ field: String, into issues: inout ValidationIssues) -> JSONObject? {
        guard let object = json.objectValue else {
            issues.add(field, "must be an object")
            return nil
        }
        for key in object.keys.sorted() where !known.contains(key) {
            issues.add("\(field).\(key)", "not a field here (\(known.joined(separator: ", ")))")
        }
        return object
    }
}
