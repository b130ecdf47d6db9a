import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

extension KubernetesServiceRouter {
    /// A Service beside the primary's and the canary's, for a workload Serin runs only for a while.
    public enum Side: Sendable {
        /// `<svc>-baseline` (`analysis.baseline`), with `service.canary`'s metadata: it stands beside the canary.
        case baseline
        /// `<svc>-previous` (`analysis.bake.keepPrevious`), with `service.primary`'s metadata: it stands in for
        /// the primary.
        case previous

        var suffix: String { self == .baseline ? "-baseline" : "-previous" }
    }

    /// The baseline's Service (`analysis.baseline`): `<svc>-baseline`, selecting the `<value>-baseline` pods,
    /// with the ports of the other Services and `service.canary`'s metadata.
    public static func baselineRole(_ canary: Canary, selector: (key: String, value: String), target: JSONValue? = nil) -> Role {
        role(.baseline, canary, selector: selector, target: target)
    }

    /// The Service of `side`: `<svc><suffix>`, selecting the `<value><suffix>` pods, with the ports of the
    /// other Services.
    public static func role(_ side: Side, _ canary: Canary, selector: (key: String, value: String), target: JSONValue? = nil) -> Role {
        let name = canary.serviceName + side.suffix
        return Role(
            name: name, selector: [selector.key: selector.value + side.suffix],
            metadata: side == .baseline ? canary.spec.service?.canary : canary.spec.service?.primary, label: (selector.key, name),
            ports: KubernetesServiceRouter.ports(canary, target: target))
    }

    /// Creates or corrects the Service of `side`. It exists only for a while, so it is never adopted: a user's
    /// Service of that name is refused (``OwnershipError``), never taken over nor deleted later.
    public func apply(
        _ side: Side, _ canary: Canary, selector: (key: String, value: String), target: JSONValue, owner: OwnerReference
    ) async throws {
        let role = KubernetesServiceRouter.role(side, canary, selector: selector, target: target)
        try await applier.apply(namespace: canary.namespace, name: role.name, owner: owner, adopting: false) { live in
            KubernetesServiceRouter.desiredService(canary, role: role, live: live)
        }
    }

    /// Whether the Canary's Service of `side` exists (one it controls).
    public func has(_ side: Side, _ canary: Canary) -> Bool {
        guard let live = applier.cache.get(namespace: canary.namespace, name: canary.serviceName + side.suffix)?.json else { return false }
        return OwnedObjectApplier.isControlled(live, by: canary.metadata.uid ?? "")
    }

    /// Deletes the Service of `side` if the Canary controls it.
    public func delete(_ side: Side, _ canary: Canary) async throws {
        try await applier.deleteOwned(namespace: canary.namespace, name: canary.serviceName + side.suffix, ownerUID: canary.metadata.uid ?? "")
    }
}
