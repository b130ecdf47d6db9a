import Foundation
import KubeCore

extension ObjectStore {
    /// A new object on its way to the store: named, and (when `complete`) defaulted, validated and given its
    /// `managedFields`.
    struct PendingCreate: Sendable {
        var object: JSONValue
        var name: String
        var namespace: String?
        var complete = false

        var key: String { ObjectStore.objectKey(namespace: namespace, name: name) }
    }

    /// Creates an object, filling in uid, timestamps, resourceVersion and generation; with a manager, it owns every field.
    ///
    /// Defaults, schema validation, field ownership and the size check run outside the store's isolation: a
    /// write of a big object holds the store only to check the name is free and to commit, so other writes
    /// go on meanwhile (a Service, whose defaults need the store's ClusterIP allocator, is prepared inside).
    public nonisolated func create(
        _ type: ResourceType, namespace: String?, object input: JSONValue,
        fields: ManagedFieldsWrite = .update(nil)
    ) async throws(APIError) -> JSONValue {
        var pending = try pendingCreate(type, namespace: namespace, object: input)
        try await checkCreatable(type, pending)
        if !ObjectDefaults.needsStore(type) {
            try complete(type, &pending.object, fields: fields, clusterIP: nil)
            pending.complete = true
        }
        return try await commitCreate(type, pending, fields: fields)
    }

    /// ``create(_:namespace:object:fields:)`` within the store's isolation (server-side apply creating its object).
    func createNow(
        _ type: ResourceType, namespace: String?, object input: JSONValue, fields: ManagedFieldsWrite
    ) throws(APIError)
        -> JSONValue
    {
        try commitCreate(type, try pendingCreate(type, namespace: namespace, object: input), fields: fields)
    }

    /// The object named (a `generateName` filled in), in its namespace, with the fields the server sets.
    private nonisolated func pendingCreate(_ type: ResourceType, namespace: String?, object input: JSONValue) throws(APIError) -> PendingCreate {
        var object = input
        guard object.objectValue != nil else { throw APIError.badRequest("the request body must be a JSON object") }
        let namespace = scoped(type, namespace)
        try checkNamespace(type, requested: namespace, in: &object)
        var name = object[path: "metadata", "name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: "metadata", "generateName"]?.stringValue, !prefix.isEmpty {
            name = prefix + ObjectStore.randomSuffix()
            object[path: "metadata", "name"] = .string(name)
        }
        try ObjectDefaults.validateName(type, name)
        object["apiVersion"] = .string(type.resource.apiVersion)
        object["kind"] = .string(type.resource.kind)
        object[path: "metadata", "uid"] = .string(UUID().uuidString.lowercased())
        object[path: "metadata", "creationTimestamp"] = .string(timestamp())
        object[path: "metadata", "deletionTimestamp"] = nil
        if object["spec"] != nil || !type.strategicMerge { object[path: "metadata", "generation"] = 1 }
        if type.subresources.contains("status") { object["status"] = nil }
        return PendingCreate(object: object, name: name, namespace: namespace)
    }

    /// Refuses a create into a namespace that does not exist, or of a name that is taken.
    private func checkCreatable(_ type: ResourceType, _ pending: PendingCreate) throws(APIError) {
        let namespaces = StorageKey(group: "", plural: "namespaces")
        if let namespace = pending.namespace, type.resource.plural != "namespaces" {
            guard collections[namespaces]?[ObjectStore.objectKey(namespace: nil, name: namespace)] != nil else {
                throw APIError.notFound(registry.anyType(for: namespaces)!, namespace)
            }
        }
        guard collections[type.storageKey]?[pending.key] == nil else { throw APIError.alreadyExists(type, pending.name) }
    }

    /// Defaults, schema validation, `managedFields` and the size limit.
    private nonisolated func complete(
        _ type: ResourceType, _ object: inout JSONValue, fields: ManagedFieldsWrite, clusterIP: String?
    )
        throws(APIError)
    {
        try ObjectDefaults.prepareCreate(type, &object, clusterIP: clusterIP)
        object = try validated(type, object)
        if case .update(let manager?) = fields {
            object[path: "metadata", "managedFields"] = management(type, manager).afterUpdate(old: nil, new: object, subresource: nil)
        }
        try checkSize(object)
    }

    private func commitCreate(_ type: ResourceType, _ pending: PendingCreate, fields: ManagedFieldsWrite) throws(APIError) -> JSONValue {
        try checkCreatable(type, pending)  // again: another create may have taken the name meanwhile
        var object = pending.object
        if !pending.complete {
            try complete(type, &object, fields: fields, clusterIP: ObjectDefaults.needsStore(type) ? nextClusterIP() : nil)
        }
        if type.resource.plural == "customresourcedefinitions" { try registry.register(crd: object) }
        object[path: "metadata", "resourceVersion"] = .string(String(nextRevision()))
        collections[type.storageKey, default: [:]][pending.key] = object
        publish(type, "ADDED", object, previous: nil)
        collectIfOwnerRemoved(type, object)
        return object
    }
}
