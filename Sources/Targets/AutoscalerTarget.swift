import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// The primary's HorizontalPodAutoscaler: `<hpa>-primary`, a copy of the target's HPA pointing at the
/// primary. An `autoscaling/v2beta1` reference is read through `autoscaling/v2`, the version served today.
public struct AutoscalerTarget: Sendable {
    let autoscalers: ResourceClient<JSONValue>
    let cache: ObjectCache<DynamicObject>

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        self.autoscalers = client.resource(.horizontalPodAutoscalers, as: JSONValue.self)
        self.cache = cache
    }

    /// Creates or updates the primary HPA; throws when the referenced HPA does not exist.
    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        guard let reference = canary.spec.autoscalerRef, let name = reference.name else { return }
        guard reference.kind == nil || reference.kind == "HorizontalPodAutoscaler" else {
            throw TargetError("autoscalerRef kind \(reference.kind ?? "") is not supported yet (supported: HorizontalPodAutoscaler)")
        }
        guard let source = cache.get(namespace: canary.namespace, name: name)?.json else {
            throw TargetError("HorizontalPodAutoscaler \(canary.namespace)/\(name) not found")
        }
        var spec = source["spec"] ?? [:]
        spec["scaleTargetRef"] = ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(canary.primaryName)]
        let primaryName = "\(name)-primary"
        if let existing = cache.get(namespace: canary.namespace, name: primaryName)?.json {
            guard existing["spec"] != spec else { return }
            _ = try await autoscalers.patch(primaryName, namespace: canary.namespace, patch: .merge(["spec": spec]))
            return
        }
        let primary: JSONValue = [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": ["name": .string(primaryName), "namespace": .string(canary.namespace), "ownerReferences": [owner.json]],
            "spec": spec,
        ]
        do { _ = try await autoscalers.create(primary, namespace: canary.namespace) } catch let error as KubeAPIError where error.isAlreadyExists {}
    }
}
