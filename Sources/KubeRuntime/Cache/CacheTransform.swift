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
}
