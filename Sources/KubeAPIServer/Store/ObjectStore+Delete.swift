import Foundation
import KubeCore

extension ObjectStore {
    /// Deletion options the sandbox honours.
    public struct DeleteRequest: Sendable {
        public var propagationPolicy: String?
        public var preconditionUID: String?
        public var preconditionResourceVersion: String?

        public init(propagationPolicy: String? = nil, preconditionUID: String? = nil, preconditionResourceVersion: String? = nil) {
            self.propagationPolicy = propagationPolicy
            self.preconditionUID = preconditionUID
            self.preconditionResourceVersion = preconditionResourceVersion
        }

        init(body: JSONValue?) {
            propagationPolicy = body?["propagationPolicy"]?.stringValue
            preconditionUID = body?[path: "preconditions", "uid"]?.stringValue
            preconditionResourceVersion = body?[path: "preconditions", "resourceVersion"]?.stringValue
        }
    }

    /// Deletes an object. With finalizers it only gets a `deletionTimestamp` and is returned; otherwise it is
    /// removed, its dependents are garbage-collected per `propagationPolicy` (default Background), and `nil`
    /// is returned.
    @discardableResult
    public func delete(
        _ type: ResourceType, namespace: String?, name: String, options: DeleteRequest = DeleteRequest()
    )
        throws(APIError) -> JSONValue?
    {
        let namespace = scoped(type, namespace)
        let current = try get(type, namespace: namespace, name: name)
        let uid = current[path: "metadata", "uid"]?.stringValue ?? ""
        if let expected = options.preconditionUID, expected != uid {
            throw APIError.conflict(type, name, "Precondition failed: UID in precondition: \(expected), UID in object meta: \(uid)")
        }
        if let expected = options.preconditionResourceVersion, expected != current[path: "metadata", "resourceVersion"]?.stringValue {
            throw APIError.conflict(type, name, "Precondition failed: ResourceVersion in precondition: \(expected)")
        }
        let policy = options.propagationPolicy ?? "Background"
        if policy == "Orphan" { orphanDependents(of: uid) }
        if policy == "Foreground" { deleteDependents(of: uid) }
        if type.resource.plural == "namespaces" { return terminateNamespace(type, current) }
        if !(current[path: "metadata", "finalizers"]?.arrayValue ?? []).isEmpty {
            if current[path: "metadata", "deletionTimestamp"] != nil { return current }
            var marked = current
            marked[path: "metadata", "deletionTimestamp"] = .string(timestamp())
            marked[path: "metadata", "deletionGracePeriodSeconds"] = 0
            marked[path: "metadata", "resourceVersion"] = .string(String(nextRevision()))
            collections[type.storageKey, default: [:]][ObjectStore.objectKey(namespace: namespace, name: name)] = marked
            publish(type, "MODIFIED", marked, previous: current)
            return marked
        }
        remove(type, namespace: namespace, name: name, object: current)
        return nil
    }

    /// Removes an object for good and tells watchers.
    func remove(_ type: ResourceType, namespace: String?, name: String, object: JSONValue) {
        collections[type.storageKey]?.removeValue(forKey: ObjectStore.objectKey(namespace: namespace, name: name))
        var gone = object
        gone[path: "metadata", "resourceVersion"] = .string(String(nextRevision()))
        if type.resource.plural == "customresourcedefinitions",
            let group = object[path: "spec", "group"]?.stringValue, let plural = object[path: "spec", "names", "plural"]?.stringValue
        {
            registry.unregister(group: group, plural: plural)
            collections.removeValue(forKey: StorageKey(group: group, plural: plural))
        }
        publish(type, "DELETED", gone, previous: object)
        // Background garbage collection, however the object went (a delete, or its last finalizer removed).
        // Orphan and Foreground deletes have already detached or deleted the dependents.
        let uid = object[path: "metadata", "uid"]?.stringValue ?? ""
        if !uid.isEmpty, removedUIDs.count < ObjectStore.removedUIDLimit { removedUIDs.insert(uid) }
        deleteDependents(of: uid)
        if let namespace { finishNamespaceIfEmpty(namespace) }
    }

    /// Every stored object whose owner references name `uid`.
    private func dependents(of uid: String) -> [(ResourceType, JSONValue)] {
        guard !uid.isEmpty else { return [] }
        var found: [(ResourceType, JSONValue)] = []
        for (key, objects) in collections {
            guard let type = registry.anyType(for: key) else { continue }
            for object in objects.values
            where (object[path: "metadata", "ownerReferences"]?.arrayValue ?? []).contains(where: { $0["uid"]?.stringValue == uid }) {
                found.append((type, object))
            }
        }
        return found
    }

    private func deleteDependents(of uid: String) {
        for (type, object) in dependents(of: uid) {
            guard let name = object[path: "metadata", "name"]?.stringValue else { continue }
            _ = try? delete(type, namespace: object[path: "metadata", "namespace"]?.stringValue, name: name)
        }
    }

    /// A new object whose owner was removed before it was created (a controller acting on a stale cache) is
    /// collected at once, as Kubernetes' garbage collector does when it finds the owner absent.
    func collectIfOwnerRemoved(_ type: ResourceType, _ object: JSONValue) {
        let owners = (object[path: "metadata", "ownerReferences"]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
        guard owners.contains(where: removedUIDs.contains), let name = object[path: "metadata", "name"]?.stringValue else { return }
        _ = try? delete(type, namespace: object[path: "metadata", "namespace"]?.stringValue, name: name)
    }

    private func orphanDependents(of uid: String) {
        for (type, object) in dependents(of: uid) {
            var updated = object
            let references = (object[path: "metadata", "ownerReferences"]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != uid }
            updated[path: "metadata", "ownerReferences"] = references.isEmpty ? nil : .array(references)
            _ = try? commitUpdate(type, current: object, proposed: &updated, subresource: nil)
        }
    }

    /// Marks a namespace Terminating and deletes everything in it; it goes once the last object is gone.
    private func terminateNamespace(_ type: ResourceType, _ namespace: JSONValue) -> JSONValue? {
        let name = namespace[path: "metadata", "name"]?.stringValue ?? ""
        var marked = namespace
        if marked[path: "metadata", "deletionTimestamp"] == nil {
            marked[path: "metadata", "deletionTimestamp"] = .string(timestamp())
            marked[path: "status", "phase"] = "Terminating"
            marked[path: "metadata", "resourceVersion"] = .string(String(nextRevision()))
            collections[type.storageKey]?[ObjectStore.objectKey(namespace: nil, name: name)] = marked
            publish(type, "MODIFIED", marked, previous: namespace)
        }
        for (key, objects) in collections {
            guard let objectType = registry.anyType(for: key), objectType.resource.namespaced else { continue }
            for object in objects.values where object[path: "metadata", "namespace"]?.stringValue == name {
                _ = try? delete(objectType, namespace: name, name: object[path: "metadata", "name"]?.stringValue ?? "")
            }
        }
        finishNamespaceIfEmpty(name)
        return collections[type.storageKey]?[ObjectStore.objectKey(namespace: nil, name: name)]
    }

    func finishNamespaceIfEmpty(_ name: String) {
        let key = StorageKey(group: "", plural: "namespaces")
        guard let namespace = collections[key]?[ObjectStore.objectKey(namespace: nil, name: name)],
            namespace[path: "metadata", "deletionTimestamp"] != nil,
            let type = registry.anyType(for: key)
        else { return }
        let prefix = "\(name)/"
        for (storage, objects) in collections where storage != key {
            if objects.keys.contains(where: { $0.hasPrefix(prefix) }) { return }
        }
        remove(type, namespace: nil, name: name, object: namespace)
    }
}
