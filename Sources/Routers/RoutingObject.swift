import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// The one routing object a router owns for a Canary, in its namespace and named `<svc>` unless told (a
/// TrafficSplit, an HTTPProxy, a TraefikService, an HTTPRoute; NGINX's `<ingress>-canary`; Kuma's
/// cluster-scoped TrafficRoute, outside any namespace): read from its cache, created and corrected through one
/// ``OwnedObjectApplier``, its routing members patched, restored on finalization when it was adopted.
struct RoutingObject: Sendable {
    let client: ResourceClient<JSONValue>
    let cache: ObjectCache<DynamicObject>
    let applier: OwnedObjectApplier
    let resource: KubeResource
    /// The object's name for a Canary.
    let name: @Sendable (Canary) -> String
    /// Whether it carries `service.apex`'s labels and annotations (the routes Flagger writes for the apex:
    /// VirtualService, HTTPRoute, HTTPProxy, TraefikService, RouteTable, TrafficRoute).
    let carriesApexMetadata: Bool

    init(
        client: KubeClient, cache: ObjectCache<DynamicObject>, resource: KubeResource,
        name: @escaping @Sendable (Canary) -> String = { $0.serviceName }, carriesApexMetadata: Bool = false
    ) {
        self.carriesApexMetadata = carriesApexMetadata
        self.client = client.resource(resource, as: JSONValue.self)
        self.cache = cache
        self.applier = OwnedObjectApplier(client: self.client, cache: cache, markers: OwnedObjectApplier.fluxMarkers)
        self.resource = resource
        self.name = name
    }

    /// The Canary's namespace, or `""` for a cluster-scoped resource.
    func namespace(_ canary: Canary) -> String { resource.namespaced ? canary.namespace : "" }

    /// The object as the cache has it; `nil` before it is observed.
    func live(_ canary: Canary) -> JSONValue? { cache.get(namespace: namespace(canary), name: name(canary))?.json }

    /// The owner as the object records it: the Canary's reference, or for an object that names its owner by
    /// annotation (``KubeRuntime/OwnedObjectApplier/annotatesOwner``: cluster-scoped, or in the mesh's own
    /// cluster) the Canary's `<namespace>/<name>`, so that a Canary deleted and created again takes its object
    /// back, as Flagger does.
    func owner(_ canary: Canary, _ reference: OwnerReference) -> OwnerReference { applier.owner(for: canary, reference) }

    /// Creates, corrects or adopts the object towards `desired(live)`.
    func apply(_ canary: Canary, owner: OwnerReference, desired: (JSONValue?) -> JSONValue) async throws {
        _ = try await applier.apply(namespace: namespace(canary), name: name(canary), owner: self.owner(canary, owner)) { live in
            var object = desired(live)
            if carriesApexMetadata { RoutingObject.writeApexMetadata(canary, into: &object) }
            return object
        }
    }

    /// Writes `service.apex`'s labels and annotations over the object's (keys it does not name stay). An
    /// adopted object keeps its own metadata (``OwnedObjectApplier``). Pure.
    static func writeApexMetadata(_ canary: Canary, into object: inout JSONValue) {
        let apex = canary.spec.service?.apex
        KubernetesServiceRouter.merge(apex?.labels ?? [:], into: &object, field: "labels", except: [])
        KubernetesServiceRouter.merge(apex?.annotations ?? [:], into: &object, field: "annotations", except: [])
    }

    /// Merges `patch` into the object; a ``RouterError`` when it has not been observed yet.
    func patch(_ canary: Canary, _ patch: JSONValue) async throws {
        guard live(canary) != nil else { throw RouterError("\(resource.kind.lowercased()) \(name(canary)).\(canary.namespace) not found") }
        try await client.patchReadingVersion(name(canary), namespace: namespace(canary), patch: .merge(patch))
    }

    /// Gives an adopted object back as it was. Serin's own goes with the Canary: by garbage collection, or
    /// here when it names its owner by annotation (garbage collection does not take it).
    func restore(_ canary: Canary) async throws {
        try await applier.restoreOrDelete(canary, namespace: namespace(canary), name: name(canary))
    }

    /// Deletes the object if it names `canary` as its owner by annotation (cluster-scoped, or in the mesh's own
    /// cluster: garbage collection does not take it).
    func deleteOwned(_ canary: Canary) async throws {
        guard applier.annotatesOwner else { return }
        _ = try await applier.deleteOwned(namespace: namespace(canary), name: name(canary), ownerUID: applier.owner(for: canary, nil).uid)
    }
}

extension OwnedObjectApplier {
    /// The owner objects of this applier record for `canary`: its owner reference (`reference`, else one built
    /// from the Canary), with the Canary's `<namespace>/<name>` as the identity when objects name their owner
    /// by annotation (``annotatesOwner``).
    func owner(for canary: Canary, _ reference: OwnerReference?) -> OwnerReference {
        var owner =
            reference
            ?? OwnerReference(
                apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, name: canary.metadata.name ?? "",
                uid: canary.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
        if annotatesOwner { owner.uid = "\(canary.namespace)/\(canary.metadata.name ?? "")" }
        return owner
    }

    /// Gives `namespace/name` back as it was if it was adopted; else deletes it if it names `canary` as its
    /// owner by annotation, which garbage collection does not take.
    func restoreOrDelete(_ canary: Canary, namespace: String, name: String) async throws {
        if try await restore(namespace: namespace, name: name) { return }
        guard annotatesOwner else { return }
        _ = try await deleteOwned(namespace: namespace, name: name, ownerUID: owner(for: canary, nil).uid)
    }
}
