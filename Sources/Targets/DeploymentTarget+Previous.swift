import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension DeploymentTarget: PreviousTarget {
    /// The `<target>-previous` Deployment the Canary controls, with the primary's readiness rules.
    public func previousWorkload(of canary: Canary, now: Date) -> WorkloadState? {
        sideWorkload(canary.previousName, of: canary, threshold: canary.primaryReadyThreshold, now: now) { live in
            live[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation]?.stringValue ?? ""
        }
    }

    /// Creates `<target>-previous` from the template the primary records as its previous one (never adopting a
    /// user's Deployment of that name), its configs read from their kept `-previous` copies; or sets its replicas.
    public func applyPrevious(_ canary: Canary, replicas: Int, owner: OwnerReference) async throws {
        guard let target = target(of: canary), let primary = primary(of: canary) else {
            throw TargetError("\(canary.targetName) or \(canary.primaryName) in \(canary.namespace) not found", terminal: false)
        }
        let (key, value) = try selectorLabel(of: target)
        let exists = objects.cache.get(namespace: canary.namespace, name: canary.previousName) != nil
        let template = exists ? [:] : try previousTemplate(canary, primary: primary)
        let revision = primary[path: "metadata", "annotations", DeploymentTarget.previousRevisionAnnotation]
        try await applier.apply(namespace: canary.namespace, name: canary.previousName, owner: owner, adopting: false) { live in
            DeploymentTarget.sideWorkload(
                template: template, revision: revision, primary: primary, label: (key, "\(value)-previous"), replicas: replicas, live: live)
        }
    }

    /// Deletes `<target>-previous` if the Canary controls it.
    public func deletePrevious(_ canary: Canary) async throws {
        try await applier.deleteOwned(namespace: canary.namespace, name: canary.previousName, ownerUID: canary.metadata.uid ?? "")
    }

    /// The primary's previous pod template, its `-primary` config copies replaced by the `-previous` copies
    /// that keep their earlier data.
    private func previousTemplate(_ canary: Canary, primary: JSONValue) throws -> JSONValue {
        guard let text = primary[path: "metadata", "annotations", DeploymentTarget.previousTemplateAnnotation]?.stringValue else {
            throw TargetError("failed to start \(canary.previousName): \(canary.primaryName) records no previous version", terminal: false)
        }
        var template: JSONValue
        do { template = try JSONValue(parsing: text) } catch {
            throw TargetError(
                "failed to start \(canary.previousName): its \(DeploymentTarget.previousTemplateAnnotation) annotation is not JSON: \(error)")
        }
        let podSpec = template[path: "spec"] ?? [:]
        let kept = configs?.primaryCopies(canary, podSpec: podSpec).map(\.reference) ?? []
        let names = Dictionary(kept.map { ($0.key, ConfigTracker.previousName(of: $0.name)) }) { first, _ in first }
        template[path: "spec"] = PodConfigReferences.renamed(podSpec, names)
        return template
    }
}
