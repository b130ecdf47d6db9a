import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension DeploymentTarget: BaselineTarget {
    /// The `<target>-baseline` Deployment the Canary controls, with the canary's readiness rules.
    public func baseline(of canary: Canary, now: Date) -> WorkloadState? {
        guard let live = objects.cache.get(namespace: canary.namespace, name: canary.baselineName)?.json,
            OwnedObjectApplier.isControlled(live, by: canary.metadata.uid ?? "")
        else { return nil }
        return WorkloadState(
            templateHash: DeploymentTarget.templateHash(live),
            readiness: DeploymentTarget.readiness(
                live, threshold: canary.canaryReadyThreshold, deadlineSeconds: canary.progressDeadlineSeconds, now: now),
            replicas: live[path: "spec", "replicas"]?.intValue ?? 1)
    }

    /// Creates `<target>-baseline` from the primary (never adopting a user's Deployment of that name), or
    /// sets its replicas.
    public func applyBaseline(_ canary: Canary, replicas: Int, owner: OwnerReference) async throws {
        guard let target = target(of: canary), let primary = primary(of: canary) else {
            throw TargetError("\(canary.targetName) or \(canary.primaryName) in \(canary.namespace) not found", terminal: false)
        }
        let (key, value) = try selectorLabel(of: target)
        try await applier.apply(namespace: canary.namespace, name: canary.baselineName, owner: owner, adopting: false) { live in
            DeploymentTarget.desiredBaseline(primary: primary, key: key, value: value, replicas: replicas, live: live)
        }
    }

    /// Deletes `<target>-baseline` if the Canary controls it.
    public func deleteBaseline(_ canary: Canary) async throws {
        try await applier.deleteOwned(namespace: canary.namespace, name: canary.baselineName, ownerUID: canary.metadata.uid ?? "")
    }

    /// The baseline Deployment Serin wants. Pure. A new one runs the primary's pod template with the selector
    /// label `<value>-baseline` (pods, selector and labels rewritten as the primary's are to `-primary`), the
    /// primary's rollout settings and revision annotation, and `replicas`; a live one only gets `replicas`.
    public static func desiredBaseline(primary: JSONValue, key: String, value: String, replicas: Int, live: JSONValue?) -> JSONValue {
        let label = JSONValue.string("\(value)-baseline")
        if var live {
            live[path: "spec", "replicas"] = .int(replicas)
            return live
        }
        var template = primary[path: "spec", "template"] ?? [:]
        template[path: "metadata", "labels", key] = label
        var spec: JSONValue = ["replicas": .int(replicas), "selector": ["matchLabels": [.init(key): label]], "template": template]
        for field in ["progressDeadlineSeconds", "minReadySeconds", "revisionHistoryLimit", "strategy"] {
            spec[field] = primary[path: "spec", field]
        }
        var metadata: JSONValue = ["labels": .object(primary[path: "metadata", "labels"]?.objectValue ?? [:])]
        metadata[path: "labels", key] = label
        metadata[path: "annotations", sourceHashAnnotation] = primary[path: "metadata", "annotations", sourceHashAnnotation]
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec]
    }
}
