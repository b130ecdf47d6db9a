import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// The primary's autoscaler. For a HorizontalPodAutoscaler: `<hpa>-primary`, a copy of the target's HPA
/// pointing at the primary (an `autoscaling/v2beta1` reference is read through `autoscaling/v2`, the
/// version served today). For a KEDA ScaledObject: ``ScaledObjectScaler``.
public struct AutoscalerTarget: Sendable {
    let cache: ObjectCache<DynamicObject>
    let applier: OwnedObjectApplier
    let scaledObjects: ScaledObjectScaler

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        self.cache = cache
        self.applier = OwnedObjectApplier(client: client.resource(.horizontalPodAutoscalers, as: JSONValue.self), cache: cache)
        self.scaledObjects = ScaledObjectScaler(client: client)
    }

    /// Pauses the target's ScaledObject while the target is held at zero (`true`), or resumes it; nothing
    /// for an HPA (the HPA of a Deployment at zero replicas does not scale it).
    public func pauseTarget(_ canary: Canary, _ paused: Bool) async throws {
        guard let reference = canary.spec.autoscalerRef, reference.kind == "ScaledObject", let name = reference.name else { return }
        try await scaledObjects.pause(canary, name: name, paused)
    }

    /// Creates the primary HPA when it does not exist; with `promoting`, also copies the target HPA's
    /// current spec to it (as Flagger: the primary's scaling changes with a promotion, not with every edit
    /// of the target's HPA). Throws when the referenced HPA does not exist.
    public func reconcile(_ canary: Canary, owner: OwnerReference, promoting: Bool = false) async throws {
        guard let reference = canary.spec.autoscalerRef, let name = reference.name else { return }
        if reference.kind == "ScaledObject" {
            return try await scaledObjects.reconcile(canary, name: name, owner: owner, promoting: promoting)
        }
        guard reference.kind == nil || reference.kind == "HorizontalPodAutoscaler" else {
            throw TargetError("autoscalerRef kind \(reference.kind ?? "") is not supported (supported: HorizontalPodAutoscaler, ScaledObject)")
        }
        guard let source = cache.get(namespace: canary.namespace, name: name)?.json else {
            throw TargetError("HorizontalPodAutoscaler \(canary.namespace)/\(name) not found")
        }
        try await applier.apply(namespace: canary.namespace, name: "\(name)-primary", owner: owner) { live in
            if !promoting, let live { return live }
            return AutoscalerTarget.desiredPrimary(canary, source: source, live: live)
        }
    }

    /// The primary HPA Serin wants, from the target's HPA and the live primary HPA (`nil`: none yet). Pure.
    /// Serin owns its whole `spec`: the source's, scaling the primary Deployment, with
    /// `autoscalerRef.primaryScalerReplicas` as its bounds when set.
    public static func desiredPrimary(_ canary: Canary, source: JSONValue, live: JSONValue?) -> JSONValue {
        var spec = source["spec"] ?? [:]
        spec["scaleTargetRef"] = ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(canary.primaryName)]
        if let replicas = canary.spec.autoscalerRef?.primaryScalerReplicas {
            if let low = replicas.minReplicas { spec["minReplicas"] = .int(low) }
            if let high = replicas.maxReplicas { spec["maxReplicas"] = .int(high) }
        }
        var primary = live ?? ["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler"]
        primary["spec"] = spec
        return primary
    }
}
