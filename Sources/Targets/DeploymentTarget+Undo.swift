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
    /// Written by earlier versions: the tracked configs a promotion changed. Removed at the next promotion.
    public static let previousConfigsChangedAnnotation = "serin.dev/previous-configs-changed"

    /// What the primary records of itself when `target` is promoted over it: its revision and template. Empty
    /// when it runs `target`'s revision already (a promotion done again keeps the first record) or was never
    /// promoted by Serin. The data of its config copies is kept beside them (``ConfigTracker/keepPrevious``).
    func previousSnapshot(_ canary: Canary, target: JSONValue) -> JSONObject {
        let next = revision(target, namespace: canary.namespace)
        guard let primary = primary(of: canary),
            let current = primary[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation]?.stringValue, current != next,
            let template = primary[path: "spec", "template"]
        else { return [:] }
        return [
            DeploymentTarget.previousRevisionAnnotation: .string(current),
            DeploymentTarget.previousTemplateAnnotation: .string(String(decoding: template.canonical.serialized(), as: UTF8.self)),
            DeploymentTarget.previousConfigsChangedAnnotation: .null,
        ]
    }

    /// The primary's record for ``CanaryCore/WorkloadState``: the revision undo gives back, or why it cannot
    /// (a config copy whose earlier data was not kept, by a promotion before Serin kept it).
    func previous(of primary: JSONValue, canary: Canary) -> (revision: String?, blocked: String?) {
        let annotations = primary[path: "metadata", "annotations"]
        guard let revision = annotations?[DeploymentTarget.previousRevisionAnnotation]?.stringValue,
            let text = annotations?[DeploymentTarget.previousTemplateAnnotation]?.stringValue
        else { return (nil, nil) }
        // Every reconcile looks: the template is parsed only when it can name a ConfigMap or Secret at all.
        guard configs != nil, text.containsBytes("configMap") || text.containsBytes("secret") else { return (revision, nil) }
        let podSpec = (try? JSONValue(parsing: text))?[path: "spec"] ?? [:]  // unreadable: restorePrevious names it
        let missing = configs?.missingPrevious(canary, podSpec: podSpec) ?? []
        return (revision, missing.isEmpty ? nil : "the earlier data of \(missing.joined(separator: ", ")) was not kept")
    }

    /// Gives the primary back its previous template and revision, its config copies their kept data first;
    /// the record goes with it (a second undo has nothing to give back).
    public func restorePrevious(_ canary: Canary, owner: OwnerReference) async throws {
        guard let primary = primary(of: canary),
            let text = primary[path: "metadata", "annotations", DeploymentTarget.previousTemplateAnnotation]?.stringValue,
            let revision = primary[path: "metadata", "annotations", DeploymentTarget.previousRevisionAnnotation]?.stringValue
        else { throw TargetError("failed to undo \(canary.dottedName): \(canary.primaryName) records no previous version", terminal: false) }
        let template: JSONValue
        do { template = try JSONValue(parsing: text) } catch {
            throw TargetError(
                "failed to undo \(canary.dottedName): its \(DeploymentTarget.previousTemplateAnnotation) annotation is not JSON: \(error)")
        }
        try await configs?.restorePrevious(canary, podSpec: template[path: "spec"] ?? [:], owner: owner)
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
        try await deployments.patchReadingVersion(canary.primaryName, namespace: canary.namespace, patch: .json(operations))
    }
}
