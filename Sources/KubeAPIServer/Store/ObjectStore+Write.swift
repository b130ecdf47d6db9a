import Foundation
import KubeCore

extension ObjectStore {
    /// Replaces an object (or its `status`), enforcing `resourceVersion` when the body carries one.
    public func update(
        _ type: ResourceType, namespace: String?, name: String, object input: JSONValue, subresource: String? = nil,
        manager: String? = nil
    ) throws(APIError) -> JSONValue {
        let namespace = scoped(type, namespace)
        let current = try get(type, namespace: namespace, name: name)
        var object = input
        guard object.objectValue != nil else { throw APIError.badRequest("the request body must be a JSON object") }
        if let bodyName = object[path: "metadata", "name"]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let version = object[path: "metadata", "resourceVersion"]?.stringValue, !version.isEmpty,
            version != current[path: "metadata", "resourceVersion"]?.stringValue
        {
            throw APIError.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        return try commitUpdate(type, current: current, proposed: &object, subresource: subresource, fields: .update(manager))
    }

    /// Stores `proposed` as the new state of `current`, keeping what the caller may not change.
    func commitUpdate(
        _ type: ResourceType, current: JSONValue, proposed object: inout JSONValue, subresource: String?,
        fields: ManagedFieldsWrite = .update(nil)
    ) throws(APIError) -> JSONValue {
        let name = current[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = current[path: "metadata", "namespace"]?.stringValue
        if subresource == "status" {
            var merged = current
            merged["status"] = object["status"]
            object = merged
        } else {
            if type.subresources.contains("status") { object["status"] = current["status"] }
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "namespace", "name", "generation"] {
                object[path: "metadata", field] = current[path: "metadata", field]
            }
            try ObjectDefaults.prepareUpdate(type, &object, old: current)
        }
        object["apiVersion"] = .string(type.resource.apiVersion)
        object["kind"] = .string(type.resource.kind)
        object = try validated(type, object)
        object[path: "metadata", "resourceVersion"] = current[path: "metadata", "resourceVersion"]
        if subresource == nil, specChanged(type, from: current, to: object) {
            object[path: "metadata", "generation"] = .int((current[path: "metadata", "generation"]?.int64Value ?? 0) + 1)
        }
        switch fields {
        case .computed: break
        case .update(nil): object[path: "metadata", "managedFields"] = current[path: "metadata", "managedFields"]
        case .update(let manager?):
            object[path: "metadata", "managedFields"] = management(type, manager).afterUpdate(old: current, new: object, subresource: subresource)
        }
        if object == current { return current }  // a no-op write changes nothing and notifies nobody
        try checkSize(object)
        if type.resource.plural == "customresourcedefinitions" { try registry.register(crd: object) }
        if current[path: "metadata", "deletionTimestamp"] != nil, (object[path: "metadata", "finalizers"]?.arrayValue ?? []).isEmpty {
            remove(type, namespace: namespace, name: name, object: object)
            return object
        }
        object[path: "metadata", "resourceVersion"] = .string(String(nextRevision()))
        collections[type.storageKey, default: [:]][ObjectStore.objectKey(namespace: namespace, name: name)] = object
        publish(type, "MODIFIED", object, previous: current)
        return object
    }

    private func specChanged(_ type: ResourceType, from old: JSONValue, to new: JSONValue) -> Bool {
        guard old[path: "metadata", "generation"] != nil else { return false }
        if type.strategicMerge || type.subresources.contains("status") { return old["spec"] != new["spec"] }
        var a = old, b = new
        for ignored in ["metadata", "status"] { a[ignored] = nil; b[ignored] = nil }
        return a != b
    }

    nonisolated func checkNamespace(_ type: ResourceType, requested: String?, in object: inout JSONValue) throws(APIError) {
        guard type.resource.namespaced else {
            object[path: "metadata", "namespace"] = nil
            return
        }
        guard let requested else { throw APIError.badRequest("a namespace is required to create \(type.resource.plural)") }
        if let given = object[path: "metadata", "namespace"]?.stringValue, !given.isEmpty, given != requested {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        object[path: "metadata", "namespace"] = .string(requested)
    }

    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}

/// How a write records field ownership.
public enum ManagedFieldsWrite: Sendable {
    /// A non-apply write by this manager (`nil`: the sandbox's own controllers, which own nothing).
    case update(String?)
    /// Server-side apply has set `managedFields` already.
    case computed
}

extension ObjectStore {
    nonisolated func management(_ type: ResourceType, _ manager: String) -> FieldManagement {
        FieldManagement(manager: manager, apiVersion: type.resource.apiVersion, time: timestamp(), associativeLists: type.strategicMerge)
    }
}
