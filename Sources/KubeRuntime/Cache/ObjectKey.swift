import KubeCore

/// The identity of an object in a cache or work queue: namespace (nil when cluster-scoped) and name.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.name = name
    }

    /// The key of an object.
    public init(_ object: some KubeObject) {
        self.init(namespace: object.namespace, name: object.name ?? "")
    }

    /// The key of a namespaced object written `namespace/name` (as ``description`` writes it); `nil` without a
    /// slash.
    public init?(namespaced text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        self.init(namespace: String(text[..<slash]), name: String(text[text.index(after: slash)...]))
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.description < rhs.description }
}

/// A secondary index of a cache: the index values of each object.
public struct CacheIndex<Object: KubeObject>: Sendable {
    public let name: String
    let values: @Sendable (Object) -> [String]

    public init(name: String, values: @escaping @Sendable (Object) -> [String]) {
        self.name = name
        self.values = values
    }

    /// Objects by the UID of their controlling owner (`ownerReferences[].controller == true`).
    public static var controllerOwner: CacheIndex {
        CacheIndex(name: "controller-owner") { object in
            (object.ownerReferences ?? []).filter { $0.controller == true }.map(\.uid)
        }
    }

    /// Objects by the value of one label.
    public static func label(_ key: String) -> CacheIndex {
        CacheIndex(name: "label:\(key)") { object in object.metadata.labels?[key].map { [$0] } ?? [] }
    }
}
