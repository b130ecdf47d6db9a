import CanaryAPI
import CanaryCore
import KubeCore
import KubeRuntime
import Routers
import Targets

extension CanaryActionExecutor {
    /// The owner reference of what Serin creates for a Canary (its controller; deleting the Canary deletes it).
    static func owner(_ canary: Canary) -> OwnerReference {
        OwnerReference(
            apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, name: canary.metadata.name ?? "",
            uid: canary.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
    }

    /// `revertOnDeletion` adds the finalizer; turning it off removes it. Returns whether it changed one (the
    /// write then triggers the next reconcile).
    func syncFinalizer(_ canary: Canary, object: DynamicObject) async throws -> Bool {
        let has = (object.metadata.finalizers ?? []).contains(CanaryStateMachine.finalizer)
        switch (canary.spec.revertOnDeletion == true, has) {
        case (true, false): _ = try await Finalizers.add(CanaryStateMachine.finalizer, to: object, in: canaryObjects)
        case (false, true): _ = try await Finalizers.remove(CanaryStateMachine.finalizer, from: object, in: canaryObjects)
        default: return false
        }
        return true
    }

    /// What a valid Canary owns before its step: the primary's HorizontalPodAutoscaler, the primary, the
    /// Services and the routing. An autoscaler that is missing or unusable is an ``InvalidCanary``
    /// (`InvalidAutoscaler`): creating or fixing it reconciles again.
    func reconcileOwned(
        _ canary: Canary, target: JSONValue, selector: (key: String, value: String), parts: CanaryParts
    ) async throws {
        let owner = CanaryActionExecutor.owner(canary)
        do { try await autoscaler.reconcile(canary, owner: owner) } catch let error as TargetError {
            throw InvalidCanary(reason: "InvalidAutoscaler", message: error.description)
        } catch { throw ActingError(step: "reconcile the primary HorizontalPodAutoscaler", cause: error) }
        try await acting("create the primary \(canary.primaryName)") { try await parts.target.ensurePrimary(canary, target: target, owner: owner) }
        if parts.target.needsServices {
            try await acting("reconcile the Services") { try await services.reconcile(canary, selector: selector, target: target, owner: owner) }
        }
        try await acting("reconcile the \(parts.provider) routing") { try await parts.router.reconcile(canary, owner: owner) }
    }

    /// Records each of `warnings` once per generation of the Canary (Warning events named after `kind` and
    /// the generation), so a reconcile that finds the same thing again writes nothing.
    func warnOnce(_ warnings: [String], kind: String, canary: Canary) async throws {
        let reference = EventObjectReference(
            apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, namespace: canary.namespace,
            name: canary.metadata.name ?? "", uid: canary.metadata.uid)
        for (index, message) in warnings.enumerated() {
            let key = "\(kind)-\(canary.metadata.generation ?? 0)-\(index)"
            _ = try await events.recordOnce(reference, type: .warning, reason: "Synced", message: message, key: key)
        }
    }
}
