import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore

extension DeploymentTarget {
    /// On the primary, written at each promotion: the revision it ran before (what `kubectl serin undo` gives back).
    public static let previousRevisionAnnotation = "serin.dev/previous-revision"
    /// The pod template it ran before, as compact JSON.
    public static let previousTemplateAnnotation = "serin.dev/previous-template"
    /// The tracked configs the promotion changed (`configmap/<name>`, comma-separated): undo cannot give their
    /// data back, so it is refused.
    public static let previousConfigsChangedAnnotation = "serin.dev/previous-configs-changed"

    /// What the primary records of itself when `target` is promoted over it: its revision and template, and
    /// which tracked configs the promotion changes. Empty when it runs `target`'s revision already (a promotion
    /// done again keeps the first record) or was never promoted by Serin.
    func previousSnapshot(_ canary: Canary, target: JSONValue) -> JSONObject {
        let next = revision(target, namespace: canary.namespace)
        guard let primary = primary(of: canary),
            let current = primary[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation]?.stringValue, current != next,
            let template = primary[path: "spec", "template"]
        else { return [:] }
        // The primary's copies are `<name>-primary`: compared with the target's configs by their names.
        let copies = configs?.checksums(of: primary[path: "spec", "template", "spec"] ?? [:], namespace: canary.namespace) ?? [:]
        let before = Dictionary(copies.map { ($0.key.hasSuffix("-primary") ? String($0.key.dropLast(8)) : $0.key, $0.value) }) { first, _ in first }
        let after = trackedConfigs(target, namespace: canary.namespace)
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
        return [
            DeploymentTarget.previousRevisionAnnotation: .string(current),
            DeploymentTarget.previousTemplateAnnotation: .string(String(decoding: template.canonical.serialized(), as: UTF8.self)),
            DeploymentTarget.previousConfigsChangedAnnotation: changed.isEmpty ? .null : .string(changed.sorted().joined(separator: ",")),
        ]
    }

    /// The primary's record for ``CanaryCore/WorkloadState``: the revision undo gives back, or why it cannot.
    static func previous(of primary: JSONValue) -> (revision: String?, blocked: String?) {
        let annotations = primary[path: "metadata", "annotations"]
        guard let revision = annotations?[DeploymentTarget.previousRevisionAnnotation]?.stringValue,
            annotations?[DeploymentTarget.previousTemplateAnnotation]?.stringValue != nil
        else { return (nil, nil) }
        let changed = annotations?[DeploymentTarget.previousConfigsChangedAnnotation]?.stringValue
        return (revision, changed.map { "the last promotion changed tracked configs (\($0)), whose earlier data Serin does not keep" })
    }

    /// Gives the primary back its previous template and revision; the record goes with it (a second undo
    /// has nothing to give back).
    public func restorePrevious(_ canary: Canary) async throws {
        guard let primary = primary(of: canary),
            let text = primary[path: "metadata", "annotations", DeploymentTarget.previousTemplateAnnotation]?.stringValue,
            let revision = primary[path: "metadata", "annotations", DeploymentTarget.previousRevisionAnnotation]?.stringValue
        else { throw TargetError("failed to undo \(canary.dottedName): \(canary.primaryName) records no previous version", terminal: false) }
        let template: JSONValue
        do { template = try JSONValue(parsing: text) } catch {
            throw TargetError(
                "failed to undo \(canary.dottedName): its \(DeploymentTarget.previousTemplateAnnotation) annotation is not JSON: \(error)")
        }
        var annotations = primary[path: "metadata", "annotations"]?.objectValue ?? [:]
        for key in [
            DeploymentTarget.previousTemplateAnnotation, DeploymentTarget.previousRevisionAnnotation,
            DeploymentTarget.previousConfigsChangedAnnotation,
        ] {
            annotations.removeValue(forKey: key)
        }
        annotations[DeploymentTarget.sourceHashAnnotation] = .string(revision)
        let operations = [
            JSONPatchOperation(.replace, path: "/spec/template", value: template),
            JSONPatchOperation(.add, path: "/metadata/annotations", value: .object(annotations)),
        ]
        _ = try await deployments.patch(canary.primaryName, namespace: canary.namespace, patch: .json(operations))
    }
}
