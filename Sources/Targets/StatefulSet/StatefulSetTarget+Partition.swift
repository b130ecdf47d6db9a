import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// The partition as a StatefulSet Canary's router: a weight is a share of the pods on the update revision.
extension StatefulSetTarget {
    /// The weights as Serin set them (``CanaryAPI/StatefulSetRollout/weightAnnotation``); while pods on the
    /// update revision sit below the partition (a rollback under way), their share, so that the decision asks
    /// again for all on the primary until they are rolled back; while the partition no longer matches the
    /// replicas, the share it lets through. `nil` before Serin holds the set.
    public func routes(_ canary: Canary) -> Routes? {
        guard let target = target(of: canary) else { return nil }
        let rollout = StatefulSetRollout(target)
        guard let weight = rollout.weight else { return nil }
        if rollout.stalePods > 0, rollout.replicas > 0 {
            let share = max(1, rollout.stalePods * 100 / rollout.replicas)
            return Routes(primary: 100 - share, canary: share)
        }
        if rollout.promoting == nil, rollout.partition != rollout.partition(forWeight: weight), rollout.replicas > 0 {
            // Scaled since the partition was set (an autoscaler): what it now lets through, so that the decision
            // sets it again (new ordinals would otherwise take the update revision unanalysed).
            let allowed = max(0, rollout.replicas - rollout.partition)
            let share = min(100, (allowed * 100 + rollout.replicas - 1) / rollout.replicas)
            return Routes(primary: 100 - share, canary: share == weight ? min(100, share + 1) : share)
        }
        return Routes(primary: 100 - weight, canary: weight)
    }

    /// Sets the partition for `routes.canary` (``CanaryAPI/StatefulSetRollout/partition(forWeight:)``), ending a
    /// promotion; then rolls back pods left on the update revision below it (``rollBackStalePods(_:)``).
    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        guard let target = target(of: canary) else {
            throw TargetError("statefulset \(canary.namespace)/\(canary.targetName) not found", terminal: false)
        }
        guard !writes.isBehind(target) else { return }  // the cache has not seen the last write: its event reconciles again
        let rollout = StatefulSetRollout(target)
        let partition = rollout.partition(forWeight: routes.canary)
        if rollout.partition != partition || rollout.weight != routes.canary || rollout.promoting != nil {
            try await write(canary, partition: partition, weight: routes.canary, promoting: nil)
            return  // the stale pods are counted again from the set's next status
        }
        if rollout.stalePods > 0 { try await rollBackStalePods(rollout) }
    }

    /// Deletes pods on the update revision below the partition: the StatefulSet controller recreates each from
    /// the current revision. One at a time once every other pod is ready and available (`OrderedReady`,
    /// honouring `minReadySeconds` through the set's available count), all at once with `Parallel`; the
    /// highest ordinal first. Pods still terminating, or a pod missing, wait. A pod of the new revision that
    /// never became ready is rolled back too: only the others are waited for.
    func rollBackStalePods(_ rollout: StatefulSetRollout) async throws {
        guard let revision = rollout.updateRevision else { return }
        let owned = try await ownedPods(rollout)
        guard owned.allSatisfy({ $0[path: "metadata", "deletionTimestamp"] == nil }) else { return }
        func isStale(_ pod: JSONValue) -> Bool {
            pod[path: "metadata", "labels", .init(StatefulSetRollout.revisionLabel)]?.stringValue == revision
                && (StatefulSetTarget.ordinal(of: pod, in: rollout.name) ?? Int.max) < rollout.partition
        }
        let stale = owned.filter(isStale).sorted {
            (StatefulSetTarget.ordinal(of: $0, in: rollout.name) ?? 0) > (StatefulSetTarget.ordinal(of: $1, in: rollout.name) ?? 0)
        }
        let others = owned.filter { !isStale($0) }
        let settled = owned.count == rollout.replicas && others.allSatisfy(StatefulSetTarget.isReady) && rollout.availableReplicas >= others.count
        let parallel = rollout.podManagementPolicy == "Parallel"
        guard parallel || settled else { return }
        for pod in parallel ? stale : Array(stale.prefix(1)) {
            guard let name = pod[path: "metadata", "name"]?.stringValue else { continue }
            do {
                _ = try await pods.delete(name, namespace: rollout.namespace)
            } catch let error as KubeAPIError where error.isNotFound {
                continue
            }
        }
    }

    /// The set's pods: those its selector selects that it owns.
    func ownedPods(_ rollout: StatefulSetRollout) async throws -> [JSONValue] {
        guard let target = cache.get(namespace: rollout.namespace, name: rollout.name)?.json else { return [] }
        let labels = target[path: "spec", "selector", "matchLabels"]?.objectValue ?? [:]
        let selector = labels.sorted { $0.key < $1.key }.compactMap { key, value in value.stringValue.map { "\(key)=\($0)" } }
            .joined(separator: ",")
        let list = try await pods.list(namespace: rollout.namespace, options: ListOptions(labelSelector: selector))
        let uid = target[path: "metadata", "uid"]?.stringValue
        return list.items.filter { pod in
            (pod[path: "metadata", "ownerReferences"]?.arrayValue ?? []).contains {
                $0["kind"]?.stringValue == "StatefulSet" && ($0["uid"]?.stringValue == uid || uid == nil)
            }
        }
    }

    /// A pod's ordinal, from its name `<set>-<ordinal>`.
    static func ordinal(of pod: JSONValue, in set: String) -> Int? {
        guard let name = pod[path: "metadata", "name"]?.stringValue, name.hasPrefix(set + "-") else { return nil }
        return Int(name.dropFirst(set.count + 1))
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        (pod[path: "status", "conditions"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }

    /// Hands the rolling update back when the Canary is deleted (`revertOnDeletion`): partition 0 and Serin's
    /// annotations removed, so the set runs what its template says.
    public func release(_ canary: Canary) async throws {
        guard target(of: canary) != nil else { return }
        let patch: JSONValue = [
            "metadata": [
                "annotations": [.init(StatefulSetRollout.weightAnnotation): .null, .init(StatefulSetRollout.promotingAnnotation): .null]
            ],
            "spec": ["updateStrategy": ["rollingUpdate": ["partition": 0]]],
        ]
        try await self.patch(canary, patch)
    }
}
