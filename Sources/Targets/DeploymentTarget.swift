import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// The Deployment side of a Canary: the target, its `-primary` copy, readiness, promotion and scaling.
///
/// Reads come from the Deployments cache; writes are patches of the fields Serin owns.
public struct DeploymentTarget: CanaryTarget {
    /// The pod-template annotation Flagger changes on every promotion, so the primary always rolls out.
    public static let flaggerIDAnnotation = "flagger-id"
    /// On the primary: the hash of the target template it was promoted from.
    public static let sourceHashAnnotation = "serin.dev/source-template-hash"

    /// Deployments for ``TargetRegistry``. Their cache keeps of each status condition only what
    /// ``readiness(_:threshold:deadlineSeconds:now:)`` reads: the text and `lastUpdateTime` of a primary's and
    /// a target's two conditions were a fifth of their cached bytes.
    public static let registration: TargetRegistration = {
        var registration = TargetRegistration(kind: .deployment, resource: WatchedResource(.deployments, owned: true)) {
            client, caches, options in
            DeploymentTarget(
                client: client, cache: caches[.deployments], options: options, configs: WorkloadObjects.configTracker(client, caches, options))
        }
        registration.cacheTransform = CacheTransform.keepingConditionFields(["reason", "lastTransitionTime"])
        return registration
    }()

    let objects: WorkloadObjects
    var deployments: ResourceClient<JSONValue> { objects.client }
    var applier: OwnedObjectApplier { objects.applier }
    var labels: LabelCopier { objects.labels }
    var configs: ConfigTracker? { objects.configs }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>, options: TargetOptions = TargetOptions(), configs: ConfigTracker? = nil) {
        objects = WorkloadObjects(.deployments, client: client, cache: cache, options: options, configs: configs)
    }

    public func target(of canary: Canary) -> JSONValue? { objects.target(of: canary) }

    public func primary(of canary: Canary) -> JSONValue? { objects.primary(of: canary) }

    /// The hash of a Deployment's pod template: what identifies a revision.
    public static func templateHash(_ deployment: JSONValue) -> String { (deployment[path: "spec", "template"] ?? .null).stableHash }

    /// The selector label key and value naming the target's pods (`app: httpbin`).
    public func selectorLabel(of target: JSONValue) throws(TargetError) -> (key: String, value: String) {
        try WorkloadTemplate.selectorLabel(of: target, keys: objects.selectorLabels, kind: "Deployment")
    }

    /// The tracked configs of a target: `configmap/<name>` → checksum (none without config tracking).
    func trackedConfigs(_ deployment: JSONValue, namespace: String) -> [String: String] {
        configs?.checksums(of: deployment[path: "spec", "template", "spec"] ?? [:], namespace: namespace) ?? [:]
    }

    /// A target's revision: its template hash with its tracked configs' checksums.
    func revision(_ deployment: JSONValue, namespace: String) -> String {
        ConfigTracker.revision(templateHash: DeploymentTarget.templateHash(deployment), configs: trackedConfigs(deployment, namespace: namespace))
    }

    /// The target as the decision sees it.
    public func state(target deployment: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        let configs = trackedConfigs(deployment, namespace: canary.namespace)
        return WorkloadState(
            templateHash: ConfigTracker.revision(templateHash: DeploymentTarget.templateHash(deployment), configs: configs),
            readiness: DeploymentTarget.readiness(
                deployment, threshold: canary.canaryReadyThreshold,
                deadlineSeconds: canary.progressDeadlineSeconds, now: now),
            replicas: deployment[path: "spec", "replicas"]?.intValue ?? 1, configs: configs)
    }

    /// The primary as the decision sees it: its hash is the target revision it was promoted from (for a
    /// primary Serin did not promote, the target's revision when it runs the target's template).
    public func state(primary deployment: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        var state = WorkloadState(
            templateHash: deployment[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation]?.stringValue
                ?? adoptedRevision(deployment, canary: canary),
            readiness: DeploymentTarget.readiness(
                deployment, threshold: canary.primaryReadyThreshold,
                deadlineSeconds: canary.progressDeadlineSeconds, now: now),
            replicas: deployment[path: "spec", "replicas"]?.intValue ?? 1)
        (state.previous, state.previousBlocked) = previous(of: deployment, canary: canary)
        return state
    }

    /// The target's revision when `primary` (promoted by another operator) runs the target's template, else "".
    func adoptedRevision(_ primary: JSONValue, canary: Canary) -> String {
        guard let target = target(of: canary) else { return "" }
        let key: String, value: String
        do { (key, value) = try selectorLabel(of: target) } catch { return "" }  // the reconcile names this error
        let configs = Set(trackedConfigs(target, namespace: canary.namespace).keys)
        let runs = WorkloadTemplate.runs(
            primary: primary[path: "spec", "template"] ?? [:], target: target[path: "spec", "template"] ?? [:],
            key: key, value: value, configs: configs)
        return runs ? revision(target, namespace: canary.namespace) : ""
    }

    /// Flagger's readiness rules for a Deployment: it has failed when its `Progressing` condition says
    /// `ProgressDeadlineExceeded`, or when it has been unavailable (`MinimumReplicasUnavailable`) for longer
    /// than the Canary's `progressDeadlineSeconds`.
    public static func readiness(_ deployment: JSONValue, threshold: Int, deadlineSeconds: Int, now: Date) -> Readiness {
        let name = deployment[path: "metadata", "name"]?.stringValue ?? ""
        let generation = deployment[path: "metadata", "generation"]?.intValue ?? 0
        let observed = deployment[path: "status", "observedGeneration"]?.intValue ?? 0
        let conditions = deployment[path: "status", "conditions"]?.arrayValue ?? []
        if conditions.contains(where: { $0["type"] == "Progressing" && $0["reason"] == "ProgressDeadlineExceeded" }) {
            return .failed("deployment \"\(name)\" exceeded its progress deadline")
        }
        if let unavailable = conditions.first(where: {
            $0["type"] == "Available" && $0["status"] == "False" && $0["reason"] == "MinimumReplicasUnavailable"
        }),
            let since = (unavailable["lastTransitionTime"]?.stringValue).flatMap({ KubeTime(rfc3339: $0)?.date }),
            now.timeIntervalSince(since) > Double(deadlineSeconds)
        {
            return .failed("deployment \"\(name)\" exceeded its progress deadline")
        }
        guard generation <= observed else { return .waiting("observed deployment generation less than desired generation") }
        let desired = deployment[path: "spec", "replicas"]?.intValue ?? 1
        let updated = deployment[path: "status", "updatedReplicas"]?.intValue ?? 0
        let replicas = deployment[path: "status", "replicas"]?.intValue ?? 0
        let available = deployment[path: "status", "availableReplicas"]?.intValue ?? 0
        if desired == 0 { return .ready }
        if updated < desired { return .waiting("waiting for rollout to finish: \(updated) out of \(desired) new replicas have been updated") }
        if replicas > updated { return .waiting("waiting for rollout to finish: \(replicas - updated) old replicas are pending termination") }
        let needed = Int(saturating: Double(updated) * Double(threshold) / 100)
        if available < needed {
            return .waiting("waiting for rollout to finish: \(available) of \(updated) (readyThreshold \(threshold)%) updated replicas are available")
        }
        return .ready
    }
}
