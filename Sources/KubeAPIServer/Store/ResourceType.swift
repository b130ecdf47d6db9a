import Foundation
import KubeCore

/// A kind the sandbox serves: its URL names, discovery data, subresources and `kubectl get` columns.
public struct ResourceType: Sendable {
    /// The group, version, kind, plural and scope.
    public var resource: KubeResource
    public var singular: String
    public var shortNames: [String]
    public var categories: [String]
    /// `status` and/or `scale`.
    public var subresources: Set<String>
    /// The columns of `kubectl get` (Table output); `NAME` comes first and is implied.
    public var columns: [PrinterColumn]
    /// Whether strategic merge patches are accepted (built-in kinds only, as in Kubernetes).
    public var strategicMerge: Bool
    /// For custom resources: the `.spec.scale` paths of the scale subresource.
    public var scalePaths: (spec: String, status: String)?
    /// The CRD's OpenAPI schema for this version, when it has one.
    public var schema: JSONValue?
    /// For a version that is not the storage version: how its objects are converted.
    public var conversion: VersionConversion?

    /// A stored object as this version serves it.
    func served(_ object: JSONValue) -> JSONValue {
        var object = conversion?.fromStorage(object) ?? object
        object["apiVersion"] = .string(resource.apiVersion)
        return object
    }

    /// An object written through this version as stored (`current`: what is stored now).
    func stored(_ object: JSONValue, current: JSONValue?) -> JSONValue {
        conversion?.toStorage(object, current) ?? object
    }

    public init(
        _ resource: KubeResource, singular: String? = nil, shortNames: [String] = [], categories: [String] = [],
        subresources: Set<String> = [], columns: [PrinterColumn] = [], strategicMerge: Bool = true
    ) {
        self.resource = resource
        self.singular = singular ?? resource.kind.lowercased()
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.columns = columns
        self.strategicMerge = strategicMerge
    }

    /// Where objects of this type are stored: every served version of a group/plural shares one storage.
    public var storageKey: StorageKey { StorageKey(group: resource.group, plural: resource.plural) }

    /// What discovery says the kind supports.
    public var verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
}

/// The identity of a stored collection, independent of the API version it is read through.
public struct StorageKey: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var plural: String
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }
}

/// One `kubectl get` column (a CRD's `additionalPrinterColumns`, or a built-in kind's fixed columns).
public struct PrinterColumn: Sendable {
    public var name: String
    /// `string`, `integer`, `number`, `boolean` or `date`.
    public var type: String
    /// A simple JSONPath such as `.status.phase`, or a computed column of a built-in kind.
    public var value: Value
    public var description: String
    /// 0 for the default view, 1 or more for `-o wide` only.
    public var priority: Int

    public enum Value: Sendable {
        case jsonPath(String)
        case computed(@Sendable (JSONValue) -> JSONValue)
    }

    public init(name: String, type: String = "string", jsonPath: String, description: String = "", priority: Int = 0) {
        self.name = name
        self.type = type
        self.value = .jsonPath(jsonPath)
        self.description = description
        self.priority = priority
    }

    public init(name: String, type: String = "string", priority: Int = 0, computed: @escaping @Sendable (JSONValue) -> JSONValue) {
        self.name = name
        self.type = type
        self.value = .computed(computed)
        self.description = ""
        self.priority = priority
    }

    /// The column for one object.
    public func cell(_ object: JSONValue) -> JSONValue {
        switch value {
        case .computed(let compute): return compute(object)
        case .jsonPath(let path): return SimpleJSONPath.evaluate(path, in: object) ?? .null
        }
    }
}

/// The subset of JSONPath that printer columns use: `.a.b`, `.a[0].b`, `.a[*].b` and `{.a.b}`.
enum SimpleJSONPath {
    static func evaluate(_ path: String, in object: JSONValue) -> JSONValue? {
        var text = path.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("{") && text.hasSuffix("}") { text = String(text.dropFirst().dropLast()) }
        var current: [JSONValue] = [object]
        var wildcard = false
        for segment in text.split(separator: ".", omittingEmptySubsequences: true) {
            var name = Substring(segment)
            var index: String?
            if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
                index = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
                name = name[..<open]
            }
            current = current.compactMap { name.isEmpty ? $0 : $0[String(name)] }
            if let index {
                if index == "*" {
                    wildcard = true
                    current = current.flatMap { $0.arrayValue ?? [] }
                } else if let position = Int(index) {
                    current = current.compactMap { $0[position] }
                }
            }
        }
        if wildcard { return current.isEmpty ? nil : .string(current.map(cellText).joined(separator: ",")) }
        return current.first
    }

    static func cellText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return "<none>"
        default: return value.jsonString
        }
    }
}
