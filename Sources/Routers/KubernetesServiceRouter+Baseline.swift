import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

extension KubernetesServiceRouter {
    /// The baseline's Service (`analysis.baseline`): `<svc>-baseline`, selecting the `<value>-baseline` pods,
    /// with the ports of the other Services and `service.canary`'s metadata (it stands beside the canary).
    public static func baselineRole(_ canary: Canary, selector: (key: String, value: String), target: JSONValue? = nil) -> Role {
        Role(
            name: canary.baselineServiceName, selector: [selector.key: "\(selector.value)-baseline"], metadata: canary.spec.service?.canary,
            label: (selector.key, canary.baselineServiceName), ports: KubernetesServiceRouter.ports(canary, target: target))
    }

    /// Creates or corrects the baseline's Service. It exists only during an analysis, so it is never adopted:
    /// a user's Service of that name is refused (``OwnershipError``), never taken over nor deleted later.
    public func applyBaseline(_ canary: Canary, selector: (key: String, value: String), target: JSONValue, owner: OwnerReference) async throws {
        let role = KubernetesServiceRouter.baselineRole(canary, selector: selector, target: target)
        try await applier.apply(namespace: canary.namespace, name: role.name, owner: owner, adopting: false) { live in
            KubernetesServiceRouter.desiredService(canary, role: role, live: live)
        }
    }

    /// Whether the Canary's baseline Service exists (one it controls).
    public func hasBaseline(_ canary: Canary) -> Bool {
        guard let live = applier.cache.get(namespace: canary.namespace, name: canary.baselineServiceName)?.json else { return false }
        return OwnedObjectApplier.isControlled(live, by: canary.metadata.uid ?? "")
    }

    /// Deletes the baseline's Service if the Canary controls it.
    public func deleteBaseline(_ canary: Canary) async throws {
        try await applier.deleteOwned(namespace: canary.namespace, name: canary.baselineServiceName, ownerUID: canary.metadata.uid ?? "")
    }
}
