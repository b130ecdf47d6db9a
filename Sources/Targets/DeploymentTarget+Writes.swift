import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension DeploymentTarget {
    /// Creates `<target>-primary` from the target, owned by the Canary, unless it exists (a primary that
    /// exists is changed only by promotion).
    /// With config tracking, the `-primary` copies of its configs come first, so the primary never starts
    /// without them.
    public func ensurePrimary(_ canary: Canary, target: JSONValue, owner: OwnerReference) async throws {
        let (key, value) = try selectorLabel(of: target)
        // The copies only before the primary is created (the applier refuses a primary another owner controls).
        var copied = Set<String>()
        if primary(of: canary) == nil, let configs {
            copied = try await configs.syncPrimaryConfigs(canary, podSpec: target[path: "spec", "template", "spec"] ?? [:], owner: owner)
        }
        let revision = revision(target, namespace: canary.namespace)
        try await applier.apply(namespace: canary.namespace, name: canary.primaryName, owner: owner) { live in
            DeploymentTarget.desiredPrimary(
                target, key: key, value: value, live: live, id: UUID().uuidString.lowercased(),
                revision: revision, configs: copied, labels: labels)
        }
    }

    /// The primary Deployment Serin creates from the target (`live` is returned as it is: after creation,
    /// only ``promote(_:target:copyReplicas:owner:)`` changes it): the target's labels with an included
    /// prefix and its annotations, its `revision`, and a template using the `-primary` copies of `configs`.
    /// Pure but for `id`, the fresh `flagger-id`.
    public static func desiredPrimary(
        _ target: JSONValue, key: String, value: String, live: JSONValue?, id: String, revision: String? = nil,
        configs: Set<String> = [], labels: LabelCopier = LabelCopier()
    ) -> JSONValue {
        if let live { return live }
        var spec: JSONValue = [
            "replicas": .int(max(target[path: "spec", "replicas"]?.intValue ?? 1, 1)),
            "selector": ["matchLabels": [.init(key): .string("\(value)-primary")]],
            "template": primaryTemplate(target, key: key, value: value, id: id, configs: configs),
        ]
        for field in ["progressDeadlineSeconds", "minReadySeconds", "revisionHistoryLimit", "strategy"] {
            spec[field] = target[path: "spec", field]
        }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "spec": spec,
            "metadata": WorkloadTemplate.creationMetadata(
                target, key: key, value: value, revision: revision ?? DeploymentTarget.templateHash(target),
                labels: labels),
        ]
    }

    /// Copies the target's pod template (and rollout settings, and the labels and annotations with an
    /// included prefix) to the primary; with config tracking, first the target's configs to their copies.
    public func promote(_ canary: Canary, target: JSONValue, copyReplicas: Bool, owner: OwnerReference) async throws {
        let (key, value) = try selectorLabel(of: target)
        let snapshot = previousSnapshot(canary, target: target)  // before the config copies change
        if !snapshot.isEmpty, let podSpec = primary(of: canary)?[path: "spec", "template", "spec"] {
            try await configs?.keepPrevious(canary, podSpec: podSpec, owner: owner)
        }
        let copied = try await configs?.syncPrimaryConfigs(canary, podSpec: target[path: "spec", "template", "spec"] ?? [:], owner: owner) ?? []
        var operations = [
            JSONPatchOperation(
                .replace, path: "/spec/template",
                value: DeploymentTarget.primaryTemplate(target, key: key, value: value, id: UUID().uuidString.lowercased(), configs: copied)),
            JSONPatchOperation(.add, path: "/metadata/annotations", value: mergedAnnotations(canary, target: target, snapshot: snapshot)),
            JSONPatchOperation(.add, path: "/metadata/labels", value: mergedLabels(canary, target: target, key: key, value: value)),
        ]
        for field in ["progressDeadlineSeconds", "minReadySeconds", "revisionHistoryLimit", "strategy"] {
            if let setting = target[path: "spec", field] { operations.append(JSONPatchOperation(.add, path: "/spec/\(field)", value: setting)) }
        }
        if copyReplicas, let replicas = target[path: "spec", "replicas"], (replicas.intValue ?? 0) > 0 {
            operations.append(JSONPatchOperation(.add, path: "/spec/replicas", value: replicas))
        }
        try await deployments.patchReadingVersion(canary.primaryName, namespace: canary.namespace, patch: .json(operations))
    }

    /// Sets the target's replicas.
    public func scaleTarget(_ canary: Canary, replicas: Int) async throws {
        try await deployments.patchReadingVersion(
            canary.targetName, namespace: canary.namespace, patch: .merge(["spec": ["replicas": .int(replicas)]]))
    }

    /// The replicas to scale a target up to: its own if above zero, else the primary's, else 1.
    public func scaleUpReplicas(_ canary: Canary) -> Int {
        if let own = target(of: canary)?[path: "spec", "replicas"]?.intValue, own > 0 { return own }
        return max(primary(of: canary)?[path: "spec", "replicas"]?.intValue ?? 1, 1)
    }

    /// The primary's annotations, with the target's that have an included prefix and the promoted revision.
    private func mergedAnnotations(_ canary: Canary, target: JSONValue, snapshot: JSONObject) -> JSONValue {
        var extra = snapshot
        extra[DeploymentTarget.sourceHashAnnotation] = .string(revision(target, namespace: canary.namespace))
        return WorkloadTemplate.promoted(
            primary(of: canary)?[path: "metadata", "annotations"]?.objectValue ?? [:],
            target: target[path: "metadata", "annotations"]?.objectValue ?? [:], labels: labels, extra: extra)
    }

    /// The primary's labels, with the target's that have an included prefix (its selector label kept).
    private func mergedLabels(_ canary: Canary, target: JSONValue, key: String, value: String) -> JSONValue {
        WorkloadTemplate.promoted(
            primary(of: canary)?[path: "metadata", "labels"]?.objectValue ?? [:],
            target: target[path: "metadata", "labels"]?.objectValue ?? [:], labels: labels,
            extra: [key: .string("\(value)-primary")])
    }

    /// The target's template for the primary (``WorkloadTemplate/primary(_:key:value:id:configs:)``).
    static func primaryTemplate(_ target: JSONValue, key: String, value: String, id: String, configs: Set<String> = []) -> JSONValue {
        WorkloadTemplate.primary(target[path: "spec", "template"] ?? [:], key: key, value: value, id: id, configs: configs)
    }
}
