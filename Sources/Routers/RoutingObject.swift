import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// The one routing object a router owns for a Canary, in its namespace and named `<svc>` unless told (a
/// TrafficSplit, an HTTPProxy, a TraefikService, an HTTPRoute; NGINX's `<ingress>-canary`): read from its
/// cache, created and corrected through one ``OwnedObjectApplier``, its routing members patched, restored on
/// finalization when it was adopted.
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

    /// The object as the cache has it; `nil` before it is observed.
    func live(_ canary: Canary) -> JSONValue? { cache.get(namespace: canary.namespace, name: name(canary))?.json }

    /// Creates, corrects or adopts the object towards `desired(live)`.
    func apply(_ canary: Canary, owner: OwnerReference, desired: (JSONValue?) -> JSONValue) async throws {
        _ = try await applier.apply(namespace: canary.namespace, name: name(canary), owner: owner) { live in
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
        _ = try await client.patch(name(canary), namespace: canary.namespace, patch: .merge(patch))
    }

    /// Gives an adopted object back as it was (Serin's own goes with the Canary).
    func restore(_ canary: Canary) async throws {
        _ = try await applier.restore(namespace: canary.namespace, name: name(canary))
    }
}
