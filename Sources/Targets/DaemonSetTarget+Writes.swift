import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension DaemonSetTarget {
    /// Creates `<target>-primary` from the target, owned by the Canary, unless it exists; with config
    /// tracking, the config copies first. A target whose `updateStrategy` is not `RollingUpdate` is refused.
    public func ensurePrimary(_ canary: Canary, target: JSONValue, owner: OwnerReference) async throws {
        let (key, value) = try selectorLabel(of: target)
        if let strategy = target[path: "spec", "updateStrategy", "type"]?.stringValue, !strategy.isEmpty, strategy != "RollingUpdate" {
            throw TargetError("daemonset \(canary.targetName).\(canary.namespace) must have RollingUpdate strategy but have \(strategy)")
        }
        var copied = Set<String>()
        if primary(of: canary) == nil, let configs {
            copied = try await configs.syncPrimaryConfigs(canary, podSpec: DaemonSetTarget.template(target)["spec"] ?? [:], owner: owner)
        }
        let revision = revision(target, namespace: canary.namespace)
        try await applier.apply(namespace: canary.namespace, name: canary.primaryName, owner: owner) { live in
            DaemonSetTarget.desiredPrimary(
                target, key: key, value: value, live: live, id: UUID().uuidString.lowercased(),
                revision: revision, configs: copied, labels: labels)
        }
    }

    /// The primary DaemonSet Serin creates (`live` is returned as it is): the target's template without the
    /// scale-down selector, its rollout settings, labels and annotations. Pure but for `id`.
    public static func desiredPrimary(
        _ target: JSONValue, key: String, value: String, live: JSONValue?, id: String, revision: String,
        configs: Set<String> = [], labels: LabelCopier = LabelCopier()
    ) -> JSONValue {
        if let live { return live }
        var spec: JSONValue = [
            "selector": ["matchLabels": [.init(key): .string("\(value)-primary")]],
            "template": WorkloadTemplate.primary(template(target), key: key, value: value, id: id, configs: configs),
        ]
        for field in ["minReadySeconds", "revisionHistoryLimit", "updateStrategy"] { spec[field] = target[path: "spec", field] }
        return [
            "apiVersion": "apps/v1", "kind": "DaemonSet", "spec": spec,
            "metadata": WorkloadTemplate.creationMetadata(target, key: key, value: value, revision: revision, labels: labels),
        ]
    }

    /// Copies the target's template (without the scale-down selector), rollout settings, included labels
    /// and annotations to the primary; with config tracking, the configs to their copies first.
    public func promote(_ canary: Canary, target: JSONValue, copyReplicas: Bool, owner: OwnerReference) async throws {
        let (key, value) = try selectorLabel(of: target)
        let template = DaemonSetTarget.template(target)
        let copied = try await configs?.syncPrimaryConfigs(canary, podSpec: template["spec"] ?? [:], owner: owner) ?? []
        let live = primary(of: canary)
        var operations = [
            JSONPatchOperation(
                .replace, path: "/spec/template",
                value: WorkloadTemplate.primary(template, key: key, value: value, id: UUID().uuidString.lowercased(), configs: copied)),
            JSONPatchOperation(
                .add, path: "/metadata/annotations",
                value: WorkloadTemplate.promoted(
                    live?[path: "metadata", "annotations"]?.objectValue ?? [:], target: target[path: "metadata", "annotations"]?.objectValue ?? [:],
                    labels: labels, extra: [DeploymentTarget.sourceHashAnnotation: .string(revision(target, namespace: canary.namespace))])),
            JSONPatchOperation(
                .add, path: "/metadata/labels",
                value: WorkloadTemplate.promoted(
                    live?[path: "metadata", "labels"]?.objectValue ?? [:], target: target[path: "metadata", "labels"]?.objectValue ?? [:],
                    labels: labels, extra: [key: .string("\(value)-primary")])),
        ]
        for field in ["minReadySeconds", "revisionHistoryLimit", "updateStrategy"] {
            if let setting = target[path: "spec", field] { operations.append(JSONPatchOperation(.add, path: "/spec/\(field)", value: setting)) }
        }
        try await daemonSets.patchReadingVersion(canary.primaryName, namespace: canary.namespace, patch: .json(operations))
    }
}
