import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// The DaemonSet side of a Canary, as Flagger runs it: a DaemonSet has no replicas, so the target is
/// "scaled to zero" by a node selector no node carries (`flagger.app/scale-to-zero: "true"`), which the
/// revision, the primary and promotion ignore. The primary must use the `RollingUpdate` strategy.
public struct DaemonSetTarget: CanaryTarget {
    /// Flagger's node selector that keeps the target's pods off every node.
    public static let scaleDownSelector = "flagger.app/scale-to-zero"

    /// DaemonSets for ``TargetRegistry``.
    public static let registration = TargetRegistration(kind: .daemonSet, resource: WatchedResource(.daemonSets, owned: true)) {
        client, caches, options in
        DaemonSetTarget(client: client, cache: caches[.daemonSets], options: options, configs: WorkloadObjects.configTracker(client, caches, options))
    }

    let objects: WorkloadObjects
    var daemonSets: ResourceClient<JSONValue> { objects.client }
    var applier: OwnedObjectApplier { objects.applier }
    var labels: LabelCopier { objects.labels }
    var configs: ConfigTracker? { objects.configs }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>, options: TargetOptions = TargetOptions(), configs: ConfigTracker? = nil) {
        objects = WorkloadObjects(.daemonSets, client: client, cache: cache, options: options, configs: configs)
    }

    public func target(of canary: Canary) -> JSONValue? { objects.target(of: canary) }

    public func primary(of canary: Canary) -> JSONValue? { objects.primary(of: canary) }

    public func selectorLabel(of target: JSONValue) throws(TargetError) -> (key: String, value: String) {
        try WorkloadTemplate.selectorLabel(of: target, keys: objects.selectorLabels, kind: "DaemonSet")
    }

    /// The target's pod template without the scale-down node selector: what identifies a revision.
    public static func template(_ daemonSet: JSONValue) -> JSONValue {
        var template = daemonSet[path: "spec", "template"] ?? [:]
        template[path: "spec", "nodeSelector", scaleDownSelector] = nil
        if template[path: "spec", "nodeSelector"]?.objectValue?.isEmpty == true { template[path: "spec", "nodeSelector"] = nil }
        return template
    }

    /// Whether the target is kept off every node.
    static func isScaledDown(_ daemonSet: JSONValue) -> Bool {
        daemonSet[path: "spec", "template", "spec", "nodeSelector", scaleDownSelector]?.stringValue == "true"
    }

    func trackedConfigs(_ daemonSet: JSONValue, namespace: String) -> [String: String] {
        configs?.checksums(of: DaemonSetTarget.template(daemonSet)["spec"] ?? [:], namespace: namespace) ?? [:]
    }

    func revision(_ daemonSet: JSONValue, namespace: String) -> String {
        ConfigTracker.revision(templateHash: DaemonSetTarget.template(daemonSet).stableHash, configs: trackedConfigs(daemonSet, namespace: namespace))
    }

    public func state(target daemonSet: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        let configs = trackedConfigs(daemonSet, namespace: canary.namespace)
        return WorkloadState(
            templateHash: ConfigTracker.revision(templateHash: DaemonSetTarget.template(daemonSet).stableHash, configs: configs),
            readiness: DaemonSetTarget.readiness(daemonSet, threshold: canary.canaryReadyThreshold, canary: canary, now: now),
            replicas: DaemonSetTarget.isScaledDown(daemonSet) ? 0 : 1, configs: configs)
    }

    public func state(primary daemonSet: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        WorkloadState(
            templateHash: daemonSet[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation]?.stringValue ?? "",
            readiness: DaemonSetTarget.readiness(daemonSet, threshold: canary.primaryReadyThreshold, canary: canary, now: now),
            replicas: 1)
    }

    /// Flagger's readiness of a DaemonSet: every desired node runs an updated pod, and `threshold`% of them
    /// are available; not ready for longer than `progressDeadlineSeconds` since the Canary's last
    /// transition, it has failed.
    public static func readiness(_ daemonSet: JSONValue, threshold: Int, canary: Canary, now: Date) -> Readiness {
        let name = daemonSet[path: "metadata", "name"]?.stringValue ?? ""
        let generation = daemonSet[path: "metadata", "generation"]?.intValue ?? 0
        guard generation <= daemonSet[path: "status", "observedGeneration"]?.intValue ?? 0 else {
            return .waiting("waiting for rollout to finish: observed daemonset generation less than desired generation")
        }
        let desired = daemonSet[path: "status", "desiredNumberScheduled"]?.intValue ?? 0
        let updated = daemonSet[path: "status", "updatedNumberScheduled"]?.intValue ?? 0
        let available = daemonSet[path: "status", "numberAvailable"]?.intValue ?? 0
        let needed = Int(saturating: Double(desired) * Double(threshold) / 100)
        if updated >= desired && available >= needed { return .ready }
        let since = (canary.status?.lastTransitionTime).flatMap { KubeTime(rfc3339: $0)?.date }
        if let since, now.timeIntervalSince(since) > Double(canary.progressDeadlineSeconds) {
            return .failed("daemonset \"\(name)\" exceeded its progressDeadlineSeconds: \(canary.progressDeadlineSeconds)")
        }
        if updated < desired { return .waiting("waiting for rollout to finish: \(updated) out of \(desired) new pods have been updated") }
        return .waiting("waiting for rollout to finish: \(available) of \(needed) (readyThreshold \(threshold)%) updated pods are available")
    }

    /// A DaemonSet has no replicas: zero keeps its pods off every node, anything else lets them back.
    public func scaleTarget(_ canary: Canary, replicas: Int) async throws {
        let value: JSONValue = replicas == 0 ? "true" : .null
        try await daemonSets.patchReadingVersion(
            canary.targetName, namespace: canary.namespace,
            patch: .merge(["spec": ["template": ["spec": ["nodeSelector": [.init(DaemonSetTarget.scaleDownSelector): value]]]]]))
    }

    public func scaleUpReplicas(_ canary: Canary) -> Int { 1 }
}
