import OrderedCollections
extension ObjectMeta {
    /// Reads metadata straight from JSON, without `Codable`. Members of the wrong type are ignored,
    /// as they would be rejected by the API server long before they reach a client.
    public init(json: JSONValue) {
        self.init()
        name = json["name"]?.stringValue
        generateName = json["generateName"]?.stringValue
        namespace = json["namespace"]?.stringValue
        uid = json["uid"]?.stringValue
        resourceVersion = json["resourceVersion"]?.stringValue
        generation = json["generation"]?.int64Value
        creationTimestamp = json["creationTimestamp"]?.stringValue.flatMap { KubeTime(rfc3339: $0) }
        deletionTimestamp = json["deletionTimestamp"]?.stringValue.flatMap { KubeTime(rfc3339: $0) }
        deletionGracePeriodSeconds = json["deletionGracePeriodSeconds"]?.int64Value
        labels = json["labels"].flatMap(ObjectMeta.stringMap)
        annotations = json["annotations"].flatMap(ObjectMeta.stringMap)
        ownerReferences = json["ownerReferences"]?.arrayValue?.compactMap(OwnerReference.init(json:))
        finalizers = json["finalizers"]?.arrayValue?.compactMap(\.stringValue)
        managedFields = json["managedFields"]?.arrayValue
    }

    /// The metadata as JSON, with only the members that are set.
    public var json: JSONValue {
        var members = JSONObject()
        members["name"] = name.map(JSONValue.string)
        members["generateName"] = generateName.map(JSONValue.string)
        members["namespace"] = namespace.map(JSONValue.string)
        members["uid"] = uid.map(JSONValue.string)
        members["resourceVersion"] = resourceVersion.map(JSONValue.string)
        members["generation"] = generation.map { JSONValue.int($0) }
        members["creationTimestamp"] = creationTimestamp.map { .string($0.description) }
        members["deletionTimestamp"] = deletionTimestamp.map { .string($0.description) }
        members["deletionGracePeriodSeconds"] = deletionGracePeriodSeconds.map { JSONValue.int($0) }
        members["labels"] = labels.map(ObjectMeta.stringMapJSON)
        members["annotations"] = annotations.map(ObjectMeta.stringMapJSON)
        members["ownerReferences"] = ownerReferences.map { .array($0.map(\.json)) }
        members["finalizers"] = finalizers.map { .array($0.map(JSONValue.string)) }
        members["managedFields"] = managedFields.map(JSONValue.array)
        return .object(members)
    }

    static func stringMap(_ json: JSONValue) -> [String: String]? {
        guard let members = json.objectValue else { return nil }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (key, value) in members { map[key] = value.stringValue }
        return map
    }

    static func stringMapJSON(_ map: [String: String]) -> JSONValue {
        .object(JSONObject(uniqueKeysWithValues: map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }
}

extension OwnerReference {
    /// Reads an owner reference from JSON; `nil` when a required member is missing.
    public init?(json: JSONValue) {
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue,
            let name = json["name"]?.stringValue, let uid = json["uid"]?.stringValue
        else { return nil }
        self.init(
            apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: json["controller"]?.boolValue,
            blockOwnerDeletion: json["blockOwnerDeletion"]?.boolValue)
    }

    /// The reference as JSON.
    public var json: JSONValue {
        var members: JSONObject = [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
        ]
        members["controller"] = controller.map(JSONValue.bool)
        members["blockOwnerDeletion"] = blockOwnerDeletion.map(JSONValue.bool)
        return .object(members)
    }
}
