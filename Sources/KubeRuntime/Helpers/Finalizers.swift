import KubeClient
import KubeCore

/// Adds and removes finalizers with JSON patches guarded by a `test` operation, so a concurrent change to
/// the list (someone else's finalizer added or removed) makes the patch fail instead of being overwritten.
///
/// ## Expected flow
/// 1. A live object without our finalizer: ``add(_:to:in:)`` before creating anything outside it.
/// 2. An object with a `deletionTimestamp` and our finalizer: clean up, then ``remove(_:from:in:)``.
/// 3. The API server deletes the object when the last finalizer is gone.
///
/// ## Errors
/// A failed `test` comes back as `422 Invalid` (or `409 Conflict`): re-read the object and try again.
public enum Finalizers {
    /// The four situations a reconcile can find an object in.
    public enum State: Equatable, Sendable {
        case needsFinalizer, live, needsCleanup, deletedWithoutFinalizer
    }

    /// Where an object stands with respect to `finalizer`.
    public static func state(of object: some KubeObject, finalizer: String) -> State {
        let has = (object.metadata.finalizers ?? []).contains(finalizer)
        switch (has, object.metadata.deletionTimestamp != nil) {
        case (false, false): return .needsFinalizer
        case (true, false): return .live
        case (true, true): return .needsCleanup
        case (false, true): return .deletedWithoutFinalizer
        }
    }

    /// Adds `finalizer` unless present.
    public static func add<Object: KubeObject>(_ finalizer: String, to object: Object, in resource: ResourceClient<Object>) async throws -> Object {
        let current = object.metadata.finalizers ?? []
        guard !current.contains(finalizer) else { return object }
        let operations: [JSONPatchOperation] =
            current.isEmpty
            ? [
                JSONPatchOperation(.test, path: "/metadata/finalizers", value: .null),
                JSONPatchOperation(.add, path: "/metadata/finalizers", value: [.string(finalizer)]),
            ]
            : [
                JSONPatchOperation(.test, path: "/metadata/finalizers", value: .array(current.map(JSONValue.string))),
                JSONPatchOperation(.add, path: "/metadata/finalizers/-", value: .string(finalizer)),
            ]
        return try await resource.patch(object.name ?? "", namespace: object.namespace, patch: .json(operations))
    }

    /// Removes `finalizer` if present.
    public static func remove<Object: KubeObject>(
        _ finalizer: String, from object: Object, in resource: ResourceClient<Object>
    ) async throws -> Object? {
        guard let index = (object.metadata.finalizers ?? []).firstIndex(of: finalizer) else { return object }
        let operations = [
            JSONPatchOperation(.test, path: "/metadata/finalizers/\(index)", value: .string(finalizer)),
            JSONPatchOperation(.remove, path: "/metadata/finalizers/\(index)"),
        ]
        do {
            return try await resource.patch(object.name ?? "", namespace: object.namespace, patch: .json(operations))
        } catch let error as KubeAPIError where error.isNotFound {
            return nil  // already gone
        }
    }
}
