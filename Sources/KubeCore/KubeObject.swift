/// A Kubernetes object with standard metadata.
///
/// Typed models conform to this; ``DynamicObject`` is the lossless, untyped conformer.
public protocol KubeObject: Codable, Sendable {
    var metadata: ObjectMeta { get set }
    /// `metadata.name`; conformers may read it faster than decoding all of ``metadata``.
    var name: String? { get }
    /// `metadata.namespace`.
    var namespace: String? { get }
    /// `metadata.resourceVersion`.
    var resourceVersion: String? { get }
    /// `metadata.uid`.
    var uid: String? { get }
    /// `metadata.ownerReferences`, read on every watch event of an owned kind.
    var ownerReferences: [OwnerReference]? { get }
    /// `metadata.generation`: moved by the API server when the spec changes, not the status or metadata.
    var generation: Int64? { get }
}

extension KubeObject {
    public var name: String? { metadata.name }
    public var namespace: String? { metadata.namespace }
    public var resourceVersion: String? { metadata.resourceVersion }
    public var uid: String? { metadata.uid }
    public var generation: Int64? { metadata.generation }
    public var ownerReferences: [OwnerReference]? { metadata.ownerReferences }
}

/// A type that converts to and from ``JSONValue`` without going through `Codable`.
///
/// The client decodes such types straight from its fast JSON parser, keeping every field exactly.
public protocol JSONRepresentable: Sendable {
    init(json: JSONValue) throws
    var json: JSONValue { get }
}

extension JSONValue: JSONRepresentable {
    public init(json: JSONValue) { self = json }
    public var json: JSONValue { self }
}

/// An object of any kind, held as its full JSON so that no field is lost.
///
/// The common metadata fields have fast accessors that read the JSON directly; ``metadata`` decodes the
/// whole `ObjectMeta`.
public struct DynamicObject: KubeObject, JSONRepresentable, Equatable {
    /// The whole object.
    public var json: JSONValue

    public init(json: JSONValue) { self.json = json }

    public init(from decoder: any Decoder) throws { json = try JSONValue(from: decoder) }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    public var apiVersion: String? { json["apiVersion"]?.stringValue }
    public var kind: String? { json["kind"]?.stringValue }
    public var name: String? { json[path: "metadata", "name"]?.stringValue }
    public var namespace: String? { json[path: "metadata", "namespace"]?.stringValue }
    public var uid: String? { json[path: "metadata", "uid"]?.stringValue }
    public var resourceVersion: String? { json[path: "metadata", "resourceVersion"]?.stringValue }
    public var generation: Int64? { json[path: "metadata", "generation"]?.int64Value }
    public var ownerReferences: [OwnerReference]? {
        json[path: "metadata", "ownerReferences"]?.arrayValue?.compactMap(OwnerReference.init(json:))
    }

    /// The labels, read directly from the JSON.
    public var labels: [String: String] {
        guard let members = json[path: "metadata", "labels"]?.objectValue else { return [:] }
        var labels: [String: String] = [:]
        for (key, value) in members { labels[key] = value.stringValue }
        return labels
    }

    /// The decoded metadata. Setting it replaces the `metadata` member.
    public var metadata: ObjectMeta {
        get { json["metadata"].map(ObjectMeta.init(json:)) ?? ObjectMeta() }
        set { json["metadata"] = newValue.json }
    }
}

/// A list response (`…List`).
public struct ObjectList<Object: Sendable>: Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Object]
    /// Items that could not be decoded (nested too deep, a field that does not fit), named, not returned.
    public var skipped: [SkippedObject]

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta, items: [Object], skipped: [SkippedObject] = []) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
        self.skipped = skipped
    }
}

/// An object of a list or watch that could not be decoded, known by its metadata only.
///
/// One unreadable object must not stop a whole list or watch: it is skipped, named, and the reader goes on
/// (its resourceVersion still counts, so a watch resumes after it).
public struct SkippedObject: Error, Sendable, Hashable, CustomStringConvertible {
    public var namespace: String?
    public var name: String
    public var uid: String?
    public var resourceVersion: String?
    /// Why it could not be decoded.
    public var reason: String

    public init(namespace: String?, name: String, uid: String?, resourceVersion: String?, reason: String) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.reason = reason
    }

    /// The object's metadata as far as it could be read from `object`.
    public init(_ object: JSONValue, reason: String) {
        self.init(
            namespace: object[path: "metadata", "namespace"]?.stringValue, name: object[path: "metadata", "name"]?.stringValue ?? "",
            uid: object[path: "metadata", "uid"]?.stringValue, resourceVersion: object[path: "metadata", "resourceVersion"]?.stringValue,
            reason: reason)
    }

    public var description: String { "\(namespace.map { "\($0)/" } ?? "")\(name): \(reason)" }
}

/// One event of a watch.
public enum WatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// A progress marker: every change up to `resourceVersion` has been sent.
    case bookmark(resourceVersion: String)
    /// An object was added or changed (`deleted: false`) or deleted, but could not be decoded.
    case skipped(SkippedObject, deleted: Bool)

    /// The object of an added, modified or deleted event.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object
        case .bookmark, .skipped: return nil
        }
    }
}
