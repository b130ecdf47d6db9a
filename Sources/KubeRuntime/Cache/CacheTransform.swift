import KubeCore

/// Transforms for ``Reflector``: what a controller's cache can leave out of every object.
public enum CacheTransform {
    /// The annotation `kubectl apply` keeps the whole applied manifest in.
    public static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// Drops `metadata.managedFields` and the `last-applied-configuration` annotation: the API server's and
    /// kubectl's bookkeeping, often larger than the rest of the object, that a controller writing with
    /// merge patches never reads. (A merge patch computed from the trimmed object leaves both untouched on
    /// the server; a full update from it would drop the annotation, so writes must be patches.)
    @Sendable public static func dropBookkeeping(_ object: DynamicObject) -> DynamicObject {
        guard let metadata = object.json["metadata"],
            metadata["managedFields"] != nil || metadata[path: "annotations", lastAppliedAnnotation] != nil
        else { return object }
        var trimmed = object
        trimmed.json[path: "metadata", "managedFields"] = nil
        if metadata[path: "annotations", lastAppliedAnnotation] != nil {
            trimmed.json[path: "metadata", "annotations", lastAppliedAnnotation] = nil
        }
        return trimmed
    }

    /// Keeps only `fields` of each of `status.conditions` (`type` and `status` always): for a kind whose
    /// readers never read a condition's text, whose `message` and `lastUpdateTime` are often the largest part
    /// of what its status holds. The cache is never written back, so nothing is lost on the server.
    public static func keepingConditionFields(_ fields: Set<String>) -> @Sendable (DynamicObject) -> DynamicObject {
        let kept = fields.union(["type", "status"])
        return { object in
            guard let conditions = object.json[path: "status", "conditions"]?.arrayValue,
                conditions.contains(where: { $0.objectValue?.keys.contains(where: { !kept.contains($0) }) == true })
            else { return object }
            var trimmed = object
            trimmed.json[path: "status", "conditions"] = .array(
                conditions.map { condition in
                    guard let members = condition.objectValue else { return condition }
                    return .object(members.filter { kept.contains($0.key) })
                })
            return trimmed
        }
    }

    /// `first`, then `second`.
    public static func chained(
        _ first: @escaping @Sendable (DynamicObject) -> DynamicObject, _ second: (@Sendable (DynamicObject) -> DynamicObject)?
    ) -> @Sendable (DynamicObject) -> DynamicObject {
        guard let second else { return first }
        return { second(first($0)) }
    }
}
