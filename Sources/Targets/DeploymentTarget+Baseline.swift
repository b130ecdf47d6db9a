import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension DeploymentTarget: BaselineTarget {
    /// The `<target>-baseline` Deployment the Canary controls, with the canary's readiness rules.
    public func baseline(of canary: Canary, now: Date) -> WorkloadState? {
        sideWorkload(canary.baselineName, of: canary, threshold: canary.canaryReadyThreshold, now: now) { DeploymentTarget.templateHash($0) }
    }

    /// A Deployment beside the primary that the Canary controls, as the decision sees it; `revision` reads
    /// its revision. `nil` when there is none the Canary controls.
    func sideWorkload(_ name: String, of canary: Canary, threshold: Int, now: Date, revision: (JSONValue) -> String) -> WorkloadState? {
        guard let live = objects.cache.get(namespace: canary.namespace, name: name)?.json,
            OwnedObjectApplier.isControlled(live, by: canary.metadata.uid ?? "")
        else { return nil }
        return WorkloadState(
            templateHash: revision(live),
            readiness: DeploymentTarget.readiness(live, threshold: threshold, deadlineSeconds: canary.progressDeadlineSeconds, now: now),
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
        sideWorkload(
            template: primary[path: "spec", "template"] ?? [:], revision: primary[path: "metadata", "annotations", sourceHashAnnotation],
            primary: primary, label: (key, "\(value)-baseline"), replicas: replicas, live: live)
    }

    /// A Deployment beside the primary (the baseline, the previous version). Pure. A new one runs `template`
    /// with the selector label `label` (pods, selector and labels), the primary's labels and rollout settings,
    /// `revision` as its revision annotation, and `replicas`; a live one only gets `replicas`.
    public static func sideWorkload(
        template: JSONValue, revision: JSONValue?, primary: JSONValue, label: (key: String, value: String), replicas: Int, live: JSONValue?
    ) -> JSONValue {
        if var live {
            live[path: "spec", "replicas"] = .int(replicas)
            return live
        }
        var template = template
        template[path: "metadata", "labels", label.key] = .string(label.value)
        var spec: JSONValue = [
            "replicas": .int(replicas), "selector": ["matchLabels": [.init(label.key): .string(label.value)]], "template": template,
        ]
        for field in ["progressDeadlineSeconds", "minReadySeconds", "revisionHistoryLimit", "strategy"] {
            spec[field] = primary[path: "spec", field]
        }
        var metadata: JSONValue = ["labels": .object(primary[path: "metadata", "labels"]?.objectValue ?? [:])]
        metadata[path: "labels", label.key] = .string(label.value)
        metadata[path: "annotations", sourceHashAnnotation] = revision
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec]
    }
}
