import Foundation
import KubeCore

/// The status documents a workload goes through in the workload simulator (each kind's shape is its
/// ``SimulatedWorkload``'s).
enum WorkloadStatus {
    static func progressing(_ object: JSONValue, since: Date, keepReady: Bool) -> JSONValue {
        let now = since
        let desired = desiredReplicas(object)
        let ready = keepReady ? min(object[path: "status", "readyReplicas"]?.intValue ?? 0, desired) : 0
        return status(
            object, desired: desired, ready: ready, now: now,
            progressing: [
                "type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                "message": .string("ReplicaSet \"\(replicaSetName(object))\" is progressing."),
                "lastUpdateTime": .string(KubeTime(since).description), "lastTransitionTime": .string(KubeTime(since).description),
            ])
    }

    static func available(_ object: JSONValue, at date: Date) -> JSONValue {
        let desired = desiredReplicas(object)
        let now = KubeTime(date).description
        return status(
            object, desired: desired, ready: desired, now: date,
            progressing: [
                "type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                "message": .string("ReplicaSet \"\(replicaSetName(object))\" has successfully progressed."),
                "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
            ])
    }

    static func deadlineExceeded(_ object: JSONValue, at date: Date) -> JSONValue {
        let desired = desiredReplicas(object)
        let now = KubeTime(date).description
        return status(
            object, desired: desired, ready: object[path: "status", "readyReplicas"]?.intValue ?? 0, now: date,
            progressing: [
                "type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                "message": .string("ReplicaSet \"\(replicaSetName(object))\" has timed out progressing."),
                "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
            ])
    }

    static func desiredReplicas(_ object: JSONValue) -> Int {
        SimulatedWorkload.of(object)?.desiredReplicas(object) ?? object[path: "spec", "replicas"]?.intValue ?? 1
    }

    /// The status of `object`'s kind (``SimulatedWorkload/status``).
    private static func status(_ object: JSONValue, desired: Int, ready: Int, now date: Date, progressing: JSONValue) -> JSONValue {
        let workload = SimulatedWorkload.of(object) ?? .deployment
        return workload.status(object, desired, ready, date, progressing)
    }

    /// `<name>-<hash of the pod template>`, as the deployment controller names ReplicaSets.
    static func replicaSetName(_ object: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (object[path: "spec", "template"] ?? .null).serialized() {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var suffix = ""
        for _ in 0..<10 {
            suffix.append(alphabet[Int(hash % UInt64(alphabet.count))])
            hash /= UInt64(alphabet.count)
        }
        return "\(object[path: "metadata", "name"]?.stringValue ?? "")-\(suffix)"
    }
}
