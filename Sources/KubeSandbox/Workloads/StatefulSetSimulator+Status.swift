import Foundation
import KubeAPIServer
import KubeCore

extension StatefulSetSimulator {
    /// A pod's revision (its `controller-revision-hash`).
    static func revision(of pod: JSONValue?) -> String? { pod?[path: "metadata", "labels", .init(revisionLabel)]?.stringValue }

    /// The status the controller writes for `pods` (by ordinal): counts per revision, and the current revision
    /// moved to the update revision once every pod runs it and is ready.
    static func status(of set: JSONValue, pods: [Int: JSONValue], current: String, update: String, now: Date) -> JSONValue {
        let replicas = max(set[path: "spec", "replicas"]?.intValue ?? 1, 0)
        let inRange = (0..<replicas).compactMap { pods[$0] }
        let updated = inRange.filter { revision(of: $0) == update }.count
        let ready = inRange.filter(isReady).count
        let minReady = Double(max(set[path: "spec", "minReadySeconds"]?.intValue ?? 0, 0))
        let available = inRange.filter { isReady($0) && (readySince($0).map { now.timeIntervalSince($0) >= minReady } ?? (minReady == 0)) }.count
        let current = updated == replicas && ready == replicas ? update : current
        var status = set["status"] ?? [:]
        status["observedGeneration"] = set[path: "metadata", "generation"] ?? 1
        status["replicas"] = .int(inRange.count)
        status["readyReplicas"] = .int(ready)
        status["availableReplicas"] = .int(available)
        status["currentReplicas"] = .int(inRange.filter { revision(of: $0) == current }.count)
        status["updatedReplicas"] = .int(updated)
        status["currentRevision"] = .string(current)
        status["updateRevision"] = .string(update)
        status["collisionCount"] = 0
        return status
    }

    /// When a pod's `Ready` condition last turned true.
    static func readySince(_ pod: JSONValue) -> Date? {
        let ready = (pod[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
        return ready?["lastTransitionTime"]?.stringValue.flatMap { KubeTime(rfc3339: $0)?.date }
    }

    /// The set's pods by ordinal: those it owns, and those without an owner it adopts.
    func ownedPods(of set: JSONValue, podType: ResourceType) async -> [Int: JSONValue] {
        let name = set[path: "metadata", "name"]?.stringValue ?? "", uid = set[path: "metadata", "uid"]?.stringValue
        let page = try? await store.list(podType, namespace: set[path: "metadata", "namespace"]?.stringValue)
        var pods: [Int: JSONValue] = [:]
        for orphan in page?.items ?? [] where StatefulSetSimulator.owner(of: orphan) == nil {
            if let adopted = await adopt(orphan, by: set, podType: podType), let ordinal = ordinal(adopted, in: name) { pods[ordinal] = adopted }
        }
        for pod in page?.items ?? [] where StatefulSetSimulator.owner(of: pod) == name {
            let owned = (pod[path: "metadata", "ownerReferences"]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == uid }
            if owned, let ordinal = ordinal(pod, in: name) { pods[ordinal] = pod }
        }
        return pods
    }
}
