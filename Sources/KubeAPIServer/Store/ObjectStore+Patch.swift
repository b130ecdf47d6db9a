import Foundation
import KubeCore

/// The patch formats the sandbox accepts, by `Content-Type`.
public enum PatchFormat: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}

extension ObjectStore {
    /// Patches an object (or its `status` or `scale` subresource) as `fieldManager`.
    ///
    /// Server-side apply creates the object when it is missing; otherwise it merges the applied configuration
    /// (strategic merge for built-in kinds) with field ownership, conflicts and `force` (``FieldManagement``).
    public func patch(
        _ type: ResourceType, namespace: String?, name: String, format: PatchFormat, body: [UInt8], subresource: String? = nil,
        fieldManager: String? = nil, force: Bool = false
    ) throws(APIError) -> JSONValue {
        let patch = try ObjectStore.decodePatch(body, format: format)
        let namespace = scoped(type, namespace)
        let current: JSONValue
        do {
            current = try get(type, namespace: namespace, name: name)
        } catch {
            guard format == .apply, subresource == nil else { throw error }
            let object = try applied(patch, to: nil, type: type, name: name, manager: fieldManager, force: force)
            return try createNow(type, namespace: namespace, object: type.stored(object, current: nil), fields: .computed)
        }
        if subresource == "scale" { return try patchScale(type, current: current, format: format, patch: patch, manager: fieldManager) }
        let view = type.conversion == nil ? current : type.served(current)
        var patched: JSONValue
        var fields = ManagedFieldsWrite.update(fieldManager)
        if format == .apply && subresource == nil {
            patched = try applied(patch, to: view, type: type, name: name, manager: fieldManager, force: force)
            fields = .computed
        } else {
            patched = try self.patched(view, type: type, format: format, patch: patch)
        }
        patched = type.stored(patched, current: current)
        if let version = patched[path: "metadata", "resourceVersion"]?.stringValue,
            version != current[path: "metadata", "resourceVersion"]?.stringValue
        {
            throw APIError.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        return try commitUpdate(type, current: current, proposed: &patched, subresource: subresource, fields: fields)
    }

    /// Server-side apply of `configuration` onto `live` by `manager`.
    private func applied(
        _ configuration: JSONValue, to live: JSONValue?, type: ResourceType, name: String, manager: String?, force: Bool
    )
        throws(APIError) -> JSONValue
    {
        let management = FieldManagement(
            manager: manager ?? "unknown", apiVersion: type.resource.apiVersion, time: timestamp(),
            associativeLists: type.strategicMerge)
        let result = management.apply(configuration, to: live, force: force) { live, configuration in
            type.strategicMerge ? StrategicMergePatch.apply(configuration, to: live) : live.applyingMergePatch(configuration)
        }
        switch result {
        case .success(let object): return object
        case .failure(let conflict):
            throw APIError(
                status: KubeStatus(
                    code: 409, reason: "Conflict", message: conflict.message,
                    details: .init(
                        name: name, group: type.resource.group, kind: type.resource.plural,
                        causes: conflict.causes)))
        }
    }

    /// `current` with a JSON, merge or strategic merge `patch` applied (an apply to a subresource merges).
    private func patched(_ current: JSONValue, type: ResourceType, format: PatchFormat, patch: JSONValue) throws(APIError) -> JSONValue {
        var patched: JSONValue
        switch format {
        case .merge: patched = current.applyingMergePatch(patch)
        case .json:
            do {
                patched = try JSONPatchApplier.apply(patch, to: current)
            } catch {
                throw APIError(status: KubeStatus(code: 422, reason: "Invalid", message: "the JSON patch cannot be applied: \(error)"))
            }
        case .strategicMerge, .apply:
            guard type.strategicMerge || format == .apply else {
                throw APIError.unsupportedMediaType("strategic merge patch is not supported for \(type.resource.kind); use a merge patch")
            }
            patched = type.strategicMerge ? StrategicMergePatch.apply(patch, to: current) : current.applyingMergePatch(patch)
        }
        return patched
    }

    /// The `autoscaling/v1` Scale of an object with a scale subresource.
    public func scale(_ type: ResourceType, namespace: String?, name: String) throws(APIError) -> JSONValue {
        ObjectStore.scale(of: try get(type, namespace: namespace, name: name), type)
    }

    /// Sets the replicas of an object through its scale subresource.
    public func updateScale(
        _ type: ResourceType, namespace: String?, name: String, scale: JSONValue, manager: String? = nil
    )
        throws(APIError) -> JSONValue
    {
        let current = try get(type, namespace: namespace, name: name)
        return try patchScale(
            type, current: current, format: .merge, patch: ["spec": ["replicas": scale[path: "spec", "replicas"] ?? .null]],
            manager: manager)
    }

    private func patchScale(
        _ type: ResourceType, current: JSONValue, format: PatchFormat, patch: JSONValue, manager: String?
    )
        throws(APIError) -> JSONValue
    {
        let scale = ObjectStore.scale(of: current, type)
        let patched = format == .json ? ((try? JSONPatchApplier.apply(patch, to: scale)) ?? scale) : scale.applyingMergePatch(patch)
        guard let replicas = patched[path: "spec", "replicas"]?.int64Value, replicas >= 0 else {
            throw APIError.invalid(
                type, current[path: "metadata", "name"]?.stringValue ?? "",
                causes: [
                    .init(reason: "FieldValueInvalid", message: "must be a non-negative integer", field: "spec.replicas")
                ])
        }
        var object = current
        object[pathComponents: ObjectStore.path(type.scalePaths?.spec ?? ".spec.replicas")[...]] = .int(replicas)
        let updated = try commitUpdate(type, current: current, proposed: &object, subresource: nil, fields: .update(manager))
        return ObjectStore.scale(of: updated, type)
    }

    static func scale(of object: JSONValue, _ type: ResourceType) -> JSONValue {
        let specPath = path(type.scalePaths?.spec ?? ".spec.replicas")
        let statusPath = path(type.scalePaths?.status ?? ".status.replicas")
        var labels = ""
        if let match = object[path: "spec", "selector", "matchLabels"]?.objectValue {
            labels = match.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ",")
        }
        return [
            "apiVersion": "autoscaling/v1", "kind": "Scale",
            "metadata": [
                "name": object[path: "metadata", "name"] ?? .null, "namespace": object[path: "metadata", "namespace"] ?? .null,
                "uid": object[path: "metadata", "uid"] ?? .null, "resourceVersion": object[path: "metadata", "resourceVersion"] ?? .null,
                "creationTimestamp": object[path: "metadata", "creationTimestamp"] ?? .null,
            ],
            "spec": ["replicas": object[pathComponents: specPath[...]] ?? 0],
            "status": ["replicas": object[pathComponents: statusPath[...]] ?? 0, "selector": .string(labels)],
        ]
    }

    static func path(_ jsonPath: String) -> [String] { jsonPath.split(separator: ".").map(String.init) }

    static func decodePatch(_ body: [UInt8], format: PatchFormat) throws(APIError) -> JSONValue {
        do {
            return try JSONValue(parsing: body)
        } catch {
            guard format == .apply else { throw APIError.badRequest("the patch is not valid JSON: \(error)") }
        }
        do {
            return try YAMLBridge.documents(String(decoding: body, as: UTF8.self)).first ?? .null
        } catch {
            throw APIError.badRequest("the apply patch is not valid YAML: \(error)")
        }
    }
}
