import KubeCore
import KubeRuntime

/// What every workload target derives the same way from its target: the selector label naming its pods,
/// the primary's pod template and metadata. Pure.
public enum WorkloadTemplate {
    /// The selector label key and value naming the target's pods (`app: podinfo`): the first of `keys` in
    /// its `spec.selector.matchLabels`.
    public static func selectorLabel(of target: JSONValue, keys: [String], kind: String) throws(TargetError) -> (key: String, value: String) {
        let labels = target[path: "spec", "selector", "matchLabels"]?.objectValue ?? [:]
        for key in keys { if let value = labels[key]?.stringValue { return (key, value) } }
        let name = "\(target[path: "metadata", "name"]?.stringValue ?? "").\(target[path: "metadata", "namespace"]?.stringValue ?? "")"
        throw TargetError("\(kind.lowercased()) \(name) spec.selector.matchLabels must contain one of \(keys)")
    }

    /// `template` with the selector label pointing at the primary, a fresh `flagger-id`, and the tracked
    /// `configs` replaced by their `-primary` copies.
    public static func primary(_ template: JSONValue, key: String, value: String, id: String, configs: Set<String> = []) -> JSONValue {
        var template = template
        template[path: "metadata", "labels", key] = .string("\(value)-primary")
        template[path: "metadata", "annotations", DeploymentTarget.flaggerIDAnnotation] = .string(id)
        if !configs.isEmpty { template["spec"] = PodConfigReferences.primary(template["spec"] ?? [:], tracked: configs) }
        return template
    }

    /// Whether the `primary` template is what promoting `target` would give it (`flagger-id` aside): a
    /// primary written by another operator (Flagger) for the same template is recognised as running it.
    public static func runs(primary: JSONValue, target: JSONValue, key: String, value: String, configs: Set<String>) -> Bool {
        func withoutID(_ template: JSONValue) -> JSONValue {
            var template = template
            template[path: "metadata", "annotations", DeploymentTarget.flaggerIDAnnotation] = nil
            if template[path: "metadata", "annotations"]?.objectValue?.isEmpty == true { template[path: "metadata", "annotations"] = nil }
            return template.canonical
        }
        return withoutID(primary) == withoutID(Self.primary(target, key: key, value: value, id: "", configs: configs))
    }

    /// The metadata of a new primary: the target's annotations (but Flux's and kubectl's) with the
    /// `revision`, and its labels with an included prefix, the selector label pointing at the primary.
    public static func creationMetadata(_ target: JSONValue, key: String, value: String, revision: String, labels: LabelCopier) -> JSONValue {
        var annotations = (target[path: "metadata", "annotations"]?.objectValue ?? [:]).filter {
            !$0.key.containsBytes("toolkit.fluxcd.io") && $0.key != CacheTransform.lastAppliedAnnotation
        }
        annotations[DeploymentTarget.sourceHashAnnotation] = .string(revision)
        var metadataLabels = labels.included(target[path: "metadata", "labels"]?.objectValue ?? [:])
        metadataLabels[key] = .string("\(value)-primary")
        return ["labels": .object(metadataLabels), "annotations": .object(annotations)]
    }

    /// The primary's `labels` or `annotations` at promotion: the live ones with the target's included ones
    /// merged in and `extra` set.
    public static func promoted(_ live: JSONObject, target: JSONObject, labels: LabelCopier, extra: JSONObject) -> JSONValue {
        var merged = live
        for (name, value) in labels.included(target) { merged[name] = value }
        for (name, value) in extra { merged[name] = value }
        return .object(merged)
    }
}
