import KubeCore

/// A CustomResourceDefinition as a project's install manifest declares it, for the CRDs the sandbox serves
/// (Istio's, Gateway API's, SMI's): the same schema for every served version, the first one stored, a
/// `status` subresource and the printer columns.
public struct CRDManifest: Sendable {
    public var group: String
    public var kind: String
    public var plural: String
    public var shortNames: [String] = []
    public var namespaced = true
    public var versions: [String]
    public var columns: JSONValue = [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]]
    /// The `spec` schema; by default one that keeps every field.
    public var spec: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    /// Whether the root keeps unknown fields too (Istio's do).
    public var rootKeepsUnknownFields = false
    public var categories: [String] = []
    /// The CRD's own labels and annotations.
    public var metadata: JSONObject = [:]

    public init(
        group: String, kind: String, plural: String, shortNames: [String] = [], namespaced: Bool = true, versions: [String],
        columns: JSONValue = [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]],
        spec: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true], rootKeepsUnknownFields: Bool = false,
        categories: [String] = [], metadata: JSONObject = [:]
    ) {
        self.group = group
        self.kind = kind
        self.plural = plural
        self.shortNames = shortNames
        self.namespaced = namespaced
        self.versions = versions
        self.columns = columns
        self.spec = spec
        self.rootKeepsUnknownFields = rootKeepsUnknownFields
        self.categories = categories
        self.metadata = metadata
    }

    /// The CustomResourceDefinition object.
    public var json: JSONValue {
        var root: JSONValue = [
            "type": "object",
            "properties": ["spec": spec, "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
        ]
        if rootKeepsUnknownFields { root["x-kubernetes-preserve-unknown-fields"] = true }
        let served: [JSONValue] = versions.map { version in
            [
                "name": .string(version), "served": true, "storage": .bool(version == versions[0]), "schema": ["openAPIV3Schema": root],
                "subresources": ["status": [:]], "additionalPrinterColumns": columns,
            ]
        }
        var names: JSONValue = [
            "kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural),
            "singular": .string(kind.lowercased()), "shortNames": .array(shortNames.map(JSONValue.string)),
        ]
        if !categories.isEmpty { names["categories"] = .array(categories.map(JSONValue.string)) }
        var crdMetadata = metadata
        crdMetadata["name"] = .string("\(plural).\(group)")
        return [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": .object(crdMetadata),
            "spec": ["group": .string(group), "scope": .string(namespaced ? "Namespaced" : "Cluster"), "versions": .array(served), "names": names],
        ]
    }
}
