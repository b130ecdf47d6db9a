import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// The StatefulSet side of a Canary (`targetRef.kind: StatefulSet`, Serin's): no `-primary` copy and no
/// Services. The StatefulSet's own rolling update carries the release, held by its partition
/// (``CanaryAPI/StatefulSetRollout``): the primary is the set's current revision, the canary its update
/// revision on the highest ordinals, and the canary weight the share of pods updated
/// (``StatefulSetTarget/setRoutes(_:_:)``, through the operator's partition router).
///
/// ## Guarantees
/// - A revision is the controller's `status.updateRevision` (the `controller-revision-hash` of its pods).
/// - Serin writes only the partition and its two annotations, by merge patch; it deletes a pod only to roll
///   it back to the current revision, and never touches PersistentVolumeClaims.
/// - Initialization holds the set (partition = replicas) only once the rollout it finds is done.
///
/// ## Caveats
/// `OnDelete` update strategies are refused by name (no partition to hold them).
public struct StatefulSetTarget: CanaryTarget {
    /// StatefulSets for ``TargetRegistry``: read and patched (the partition), and their pods listed and
    /// deleted (a rollback).
    public static let registration: TargetRegistration = {
        var registration = TargetRegistration(
            kind: .statefulSet, resource: WatchedResource(.statefulSets),
            rules: [
                PolicyRule(.statefulSets, verbs: PolicyRule.readVerbs + ["patch"]), PolicyRule(.pods, verbs: ["list", "delete"]),
            ]
        ) { client, caches, options in
            StatefulSetTarget(
                client: client, cache: caches[.statefulSets], options: options, configs: WorkloadObjects.configTracker(client, caches, options))
        }
        registration.revisionInStatus = true  // `status.updateRevision`
        return registration
    }()

    let cache: ObjectCache<DynamicObject>
    let client: ResourceClient<JSONValue>
    let pods: ResourceClient<JSONValue>
    let selectorLabels: [String]
    /// Serin's last write to each set: nothing is written from a cache that has not seen it.
    let writes = StatefulSetWrites()
    /// Config tracking (`nil` when disabled): a config edit is a new revision (``StatefulSetTarget/trackConfigs(_:rollout:)``).
    let configs: ConfigTracker?

    public init(
        client: KubeClient, cache: ObjectCache<DynamicObject>, options: TargetOptions = TargetOptions(), configs: ConfigTracker? = nil
    ) {
        self.configs = configs
        self.cache = cache
        self.client = client.resource(.statefulSets, as: JSONValue.self)
        self.pods = client.resource(.pods, as: JSONValue.self)
        self.selectorLabels = options.selectorLabels
    }

    public var needsServices: Bool { false }

    public func target(of canary: Canary) -> JSONValue? { cache.get(namespace: canary.namespace, name: canary.targetName)?.json }

    /// The set itself once Serin holds it (its weight annotation is written): the primary is its current revision.
    public func primary(of canary: Canary) -> JSONValue? {
        target(of: canary).flatMap { StatefulSetRollout($0).weight == nil ? nil : $0 }
    }

    /// The pods' label; an `OnDelete` update strategy is refused (no partition can hold it).
    public func selectorLabel(of target: JSONValue) throws(TargetError) -> (key: String, value: String) {
        let rollout = StatefulSetRollout(target)
        guard rollout.strategy == "RollingUpdate" else {
            throw TargetError(
                "StatefulSet \(rollout.dottedName) spec.updateStrategy.type is \(rollout.strategy): Serin releases a StatefulSet through "
                    + "its RollingUpdate partition; set spec.updateStrategy.type to RollingUpdate")
        }
        if let recorded = rollout.recordedClaimTemplates, recorded != rollout.claimTemplates {
            throw TargetError(
                "StatefulSet \(rollout.dottedName) spec.volumeClaimTemplates changed since Serin took it over (the set was made again): "
                    + "Kubernetes applies claim templates to no existing PersistentVolumeClaim and Serin never resizes nor deletes one; "
                    + "restore them, or accept them with kubectl annotate sts \(rollout.name) -n \(rollout.namespace) "
                    + "\(StatefulSetRollout.claimTemplatesAnnotation)-")
        }
        return try WorkloadTemplate.selectorLabel(of: target, keys: selectorLabels, kind: "StatefulSet")
    }

    /// Holds the set (partition = replicas, weight 0) once the rollout Serin finds is done, until then nothing
    /// (initialization waits for the primary); records its claim templates when they are not recorded.
    public func ensurePrimary(_ canary: Canary, target: JSONValue, owner: OwnerReference) async throws {
        guard !writes.isBehind(target) else { return }  // the cache has not seen the last write: its event reconciles again
        let rollout = StatefulSetRollout(target)
        let partition: Int
        switch (rollout.weight, rollout.recordedClaimTemplates) {
        case (nil, _) where rollout.fullyRolledOut: partition = rollout.replicas
        case (.some, nil): partition = rollout.partition  // accepted claim templates (annotation removed): record them
        case (.some, .some): return try await trackConfigs(canary, target: target, rollout: rollout)
        default: return
        }
        var annotations: JSONValue = [
            .init(StatefulSetRollout.weightAnnotation): .string(String(rollout.weight ?? 0)),
            .init(StatefulSetRollout.claimTemplatesAnnotation): .string(rollout.claimTemplates),
        ]
        if rollout.weight == nil, let checksum = configChecksum(target, namespace: canary.namespace) {
            annotations[StatefulSetRollout.configChecksumAnnotation] = .string(checksum)
        }
        let patch: JSONValue = [
            "metadata": ["annotations": annotations],
            "spec": ["updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": .int(partition)]]],
        ]
        try await self.patch(canary, patch)
    }

    public func state(target: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        let rollout = StatefulSetRollout(target)
        // A cache that has not seen Serin's last partition would call a step's rollout done before it began.
        let readiness: Readiness =
            writes.isBehind(target)
            ? .waiting("waiting for the StatefulSet's latest version")
            : rollout.partitionedRolloutDone
                ? .ready
                : StatefulSetTarget.notReady(
                    "\(rollout.updatedReplicas) of \(rollout.allowedUpdates) updated pods, \(rollout.availableReplicas) of \(rollout.replicas) available",
                    rollout: rollout, canary: canary, now: now)
        return WorkloadState(templateHash: rollout.updateRevision ?? "", readiness: readiness, replicas: rollout.replicas)
    }

    /// The current revision; while Serin promotes, the revision promoted, ready once every pod runs it.
    public func state(primary: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        let rollout = StatefulSetRollout(primary)
        let promoting = rollout.promoting != nil && rollout.promoting == rollout.updateRevision
        let revision = (promoting ? rollout.updateRevision : rollout.currentRevision) ?? ""
        let done = promoting ? rollout.fullyRolledOut : rollout.allAvailable
        let readiness: Readiness =
            done
            ? .ready
            : StatefulSetTarget.notReady(
                "\(rollout.updatedReplicas) of \(rollout.replicas) pods on \(revision), \(rollout.availableReplicas) available", rollout: rollout,
                canary: canary, now: now)
        return WorkloadState(templateHash: revision, readiness: readiness, replicas: rollout.replicas)
    }

    /// Waiting, or failed past `progressDeadlineSeconds` since the Canary's last transition.
    static func notReady(_ progress: String, rollout: StatefulSetRollout, canary: Canary, now: Date) -> Readiness {
        let since = (canary.status?.lastTransitionTime).flatMap { KubeTime(rfc3339: $0)?.date }
        if let since, now.timeIntervalSince(since) > Double(canary.progressDeadlineSeconds) {
            return .failed("statefulset \(rollout.dottedName) exceeded its progressDeadlineSeconds: \(canary.progressDeadlineSeconds) (\(progress))")
        }
        return .waiting("waiting for rollout to finish: \(progress)")
    }

    /// Partition 0: every pod takes the update revision, the StatefulSet controller rolling them in its order.
    public func promote(_ canary: Canary, target: JSONValue, copyReplicas: Bool, owner: OwnerReference) async throws {
        guard !writes.isBehind(target) else { return }
        let rollout = StatefulSetRollout(target)
        guard let revision = rollout.updateRevision else {
            throw TargetError("statefulset \(rollout.dottedName) reports no update revision to promote", terminal: false)
        }
        guard rollout.promoting != revision || rollout.partition != 0 else { return }
        try await write(canary, partition: 0, weight: rollout.weight ?? 0, promoting: revision)
    }

    /// A StatefulSet is never scaled by Serin: its canary is a share of its own pods.
    public func scaleTarget(_ canary: Canary, replicas: Int) async throws {}

    public func scaleUpReplicas(_ canary: Canary) -> Int { target(of: canary).map { StatefulSetRollout($0).replicas } ?? 0 }

    /// Merge-patches the set, recording the version written (``StatefulSetWrites``).
    func patch(_ canary: Canary, _ patch: JSONValue) async throws {
        writes.record(try await client.patch(canary.targetName, namespace: canary.namespace, patch: .merge(patch)))
    }

    /// Merge-patches the partition and Serin's annotations (`nil` `promoting` removes it).
    func write(_ canary: Canary, partition: Int, weight: Int, promoting: String?) async throws {
        let patch: JSONValue = [
            "metadata": [
                "annotations": [
                    .init(StatefulSetRollout.weightAnnotation): .string(String(weight)),
                    .init(StatefulSetRollout.promotingAnnotation): promoting.map(JSONValue.string) ?? .null,
                ]
            ],
            "spec": ["updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": .int(partition)]]],
        ]
        try await self.patch(canary, patch)
    }
}
