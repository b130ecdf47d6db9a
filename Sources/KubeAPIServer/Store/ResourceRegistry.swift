import KubeCore

/// The kinds the sandbox serves: the built-in ones plus one per served version of each CRD.
struct ResourceRegistry: Sendable {
    private(set) var types: [ResourceType]

    init(builtins: [ResourceType]) { types = builtins }

    /// The type served at `group/version` under `plural`.
    func lookup(group: String, version: String, plural: String) -> ResourceType? {
        types.first { $0.resource.group == group && $0.resource.version == version && $0.resource.plural == plural }
    }

    /// Any served version of a stored collection (for garbage collection and namespace deletion).
    func anyType(for key: StorageKey) -> ResourceType? { types.first { $0.storageKey == key } }

    /// The type of an `apiVersion`/`kind` pair, as found in owner references.
    func lookup(apiVersion: String, kind: String) -> ResourceType? {
        types.first { $0.resource.apiVersion == apiVersion && $0.resource.kind == kind }
    }

    /// Every group with its versions, core group excluded, in registration order.
    var groups: [(group: String, versions: [String])] {
        var result: [(String, [String])] = []
        for type in types where !type.resource.group.isEmpty {
            if let index = result.firstIndex(where: { $0.0 == type.resource.group }) {
                if !result[index].1.contains(type.resource.version) { result[index].1.append(type.resource.version) }
            } else {
                result.append((type.resource.group, [type.resource.version]))
            }
        }
        return result
    }

    func types(group: String, version: String) -> [ResourceType] {
        types.filter { $0.resource.group == group && $0.resource.version == version }
    }

    /// Serves every `served` version of a CustomResourceDefinition (replacing what it served before).
    mutating func register(crd: JSONValue) throws(APIError) {
        let parsed = try CRDDefinition(crd)
        unregister(group: parsed.group, plural: parsed.plural)
        types.append(contentsOf: parsed.types)
    }

    mutating func unregister(group: String, plural: String) {
        types.removeAll { $0.resource.group == group && $0.resource.plural == plural && !$0.strategicMerge }
    }
}

/// The parts of a CustomResourceDefinition the sandbox needs, validated.
struct CRDDefinition {
    var group: String
    var plural: String
    var types: [ResourceType]

    static let crdType = BuiltinResources.all.first { $0.resource.plural == "customresourcedefinitions" }!

    init(_ crd: JSONValue) throws(APIError) {
        let name = crd[path: "metadata", "name"]?.stringValue ?? ""
        func required(_ path: String...) throws(APIError) -> String {
            guard let value = crd[pathComponents: path[...]]?.stringValue, !value.isEmpty else {
                throw APIError.invalid(
                    CRDDefinition.crdType, name,
                    causes: [
                        .init(reason: "FieldValueRequired", message: "Required value", field: path.joined(separator: "."))
                    ])
            }
            return value
        }
        group = try required("spec", "group")
        plural = try required("spec", "names", "plural")
        let kind = try required("spec", "names", "kind")
        guard name == "\(plural).\(group)" else {
            throw APIError.invalid(
                CRDDefinition.crdType, name,
                causes: [
                    .init(reason: "FieldValueInvalid", message: "must be spec.names.plural+\".\"+spec.group", field: "metadata.name")
                ])
        }
        let namespaced = (crd[path: "spec", "scope"]?.stringValue ?? "Namespaced") == "Namespaced"
        let names = crd[path: "spec", "names"] ?? [:]
        var types: [ResourceType] = []
        for version in crd[path: "spec", "versions"]?.arrayValue ?? [] where version["served"]?.boolValue ?? true {
            guard let versionName = version["name"]?.stringValue else { continue }
            var type = ResourceType(
                KubeResource(group: group, version: versionName, kind: kind, plural: plural, namespaced: namespaced),
                singular: names["singular"]?.stringValue ?? kind.lowercased(),
                shortNames: names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                categories: names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                columns: CRDDefinition.columns(version), strategicMerge: false)
            if version[path: "subresources", "status"] != nil { type.subresources.insert("status") }
            if let scale = version[path: "subresources", "scale"] {
                type.subresources.insert("scale")
                type.scalePaths = (
                    scale["specReplicasPath"]?.stringValue ?? ".spec.replicas",
                    scale["statusReplicasPath"]?.stringValue ?? ".status.replicas"
                )
            }
            type.schema = version[path: "schema", "openAPIV3Schema"]
            types.append(type)
        }
        guard !types.isEmpty else {
            throw APIError.invalid(
                CRDDefinition.crdType, name,
                causes: [
                    .init(reason: "FieldValueRequired", message: "must have at least one served version", field: "spec.versions")
                ])
        }
        self.types = types
    }

    private static func columns(_ version: JSONValue) -> [PrinterColumn] {
        let declared = version["additionalPrinterColumns"]?.arrayValue ?? []
        var columns = declared.compactMap { column -> PrinterColumn? in
            guard let name = column["name"]?.stringValue, let path = column["jsonPath"]?.stringValue else { return nil }
            return PrinterColumn(
                name: name, type: column["type"]?.stringValue ?? "string", jsonPath: path,
                description: column["description"]?.stringValue ?? "", priority: column["priority"]?.intValue ?? 0)
        }
        if declared.isEmpty { columns.append(BuiltinResources.age) }
        return columns
    }
}
