import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension DeploymentTarget {
    /// Creates `<target>-primary` from the target, owned by the Canary, unless it exists (a primary that
    /// exists is changed only by promotion).
    public func ensurePrimary(_ canary: Canary, target: JSONValue, owner: OwnerReference) async throws {
        let (key, value) = try selectorLabel(of: target)
        try await applier.apply(namespace: canary.namespace, name: canary.primaryName, owner: owner) { live in
            DeploymentTarget.desiredPrimary(target, key: key, value: value, live: live, id: UUID().uuidString.lowercased())
        }
    }

    /// The primary Deployment Serin creates from the target (`live` is returned as it is: after creation,
    /// only ``promote(_:target:copyReplicas:)`` changes it). Pure but for `id`, the fresh `flagger-id`.
    public static func desiredPrimary(_ target: JSONValue, key: String, value: String, live: JSONValue?, id: String) -> JSONValue {
        if let live { return live }
        var annotations = (target[path: "metadata", "annotations"]?.objectValue ?? [:]).filter {
            !$0.key.contains("toolkit.fluxcd.io") && $0.key != "kubectl.kubernetes.io/last-applied-configuration"
        }
        annotations[DeploymentTarget.sourceHashAnnotation] = .string(DeploymentTarget.templateHash(target))
        var spec: JSONValue = [
            "replicas": .int(max(target[path: "spec", "replicas"]?.intValue ?? 1, 1)),
            "selector": ["matchLabels": [.init(key): .string("\(value)-primary")]],
            "template": primaryTemplate(target, key: key, value: value, id: id),
        ]
        for field in ["progressDeadlineSeconds", "minReadySeconds", "revisionHistoryLimit", "strategy"] {
            spec[field] = target[path: "spec", field]
        }
        return ["apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["labels": [.init(key): .string("\(value)-primary")], "annotations": .object(annotations)], "spec": spec]
    }

    /// Copies the target's pod template (and rollout settings) to the primary.
    public func promote(_ canary: Canary, target: JSONValue, copyReplicas: Bool) async throws {
        let (key, value) = try selectorLabel(of: target)
        var operations = [
            JSONPatchOperation(.replace, path: "/spec/template",
                               value: DeploymentTarget.primaryTemplate(target, key: key, value: value, id: UUID().uuidString.lowercased())),
            JSONPatchOperation(.add, path: "/metadata/annotations", value: mergedAnnotations(canary, target: target)),
        ]
        for field in ["progressDeadlineSeconds", "minReadySeconds", "revisionHistoryLimit", "strategy"] {
            if let setting = target[path: "spec", field] { operations.append(JSONPatchOperation(.add, path: "/spec/\(field)", value: setting)) }
        }
        if copyReplicas, let replicas = target[path: "spec", "replicas"], (replicas.intValue ?? 0) > 0 {
            operations.append(JSONPatchOperation(.add, path: "/spec/replicas", value: replicas))
        }
        _ = try await deployments.patch(canary.primaryName, namespace: canary.namespace, patch: .json(operations))
    }

    /// Sets the target's replicas.
    public func scaleTarget(_ canary: Canary, replicas: Int) async throws {
        _ = try await deployments.patch(canary.targetName, namespace: canary.namespace, patch: .merge(["spec": ["replicas": .int(replicas)]]))
    }

    /// The replicas to scale a target up to: its own if above zero, else the primary's, else 1.
    public func scaleUpReplicas(_ canary: Canary) -> Int {
        if let own = target(of: canary)?[path: "spec", "replicas"]?.intValue, own > 0 { return own }
        return max(primary(of: canary)?[path: "spec", "replicas"]?.intValue ?? 1, 1)
    }

    private func mergedAnnotations(_ canary: Canary, target: JSONValue) -> JSONValue {
        var annotations = primary(of: canary)?[path: "metadata", "annotations"]?.objectValue ?? [:]
        annotations[DeploymentTarget.sourceHashAnnotation] = .string(DeploymentTarget.templateHash(target))
        return .object(annotations)
    }

    /// The target's template with the selector label pointing at the primary and a fresh `flagger-id`.
    static func primaryTemplate(_ target: JSONValue, key: String, value: String, id: String) -> JSONValue {
        var template = target[path: "spec", "template"] ?? [:]
        template[path: "metadata", "labels", key] = .string("\(value)-primary")
        template[path: "metadata", "annotations", DeploymentTarget.flaggerIDAnnotation] = .string(id)
        return template
    }
}
