import Foundation
import KubeCore

/// The status documents a Deployment or DaemonSet goes through in the workload simulator.
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

    /// The labels of the sandbox's one node: a DaemonSet runs a pod there when its node selector matches.
    static let nodeLabels: [String: String] = ["kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "sandbox"]

    static func desiredReplicas(_ object: JSONValue) -> Int {
        guard object["kind"]?.stringValue == "DaemonSet" else { return object[path: "spec", "replicas"]?.intValue ?? 1 }
        let selector = object[path: "spec", "template", "spec", "nodeSelector"]?.objectValue ?? [:]
        return selector.allSatisfy { nodeLabels[$0.key] == $0.value.stringValue } ? 1 : 0
    }

    private static func status(_ object: JSONValue, desired: Int, ready: Int, now date: Date, progressing: JSONValue) -> JSONValue {
        let generation = object[path: "metadata", "generation"] ?? 1
        if object["kind"]?.stringValue == "DaemonSet" {
            return [
                "observedGeneration": generation, "currentNumberScheduled": .int(desired), "desiredNumberScheduled": .int(desired),
                "numberMisscheduled": 0, "numberReady": .int(ready), "updatedNumberScheduled": .int(desired),
                "numberAvailable": .int(ready), "numberUnavailable": .int(desired - ready),
            ]
        }
        let now = KubeTime(date).description
        let available: JSONValue = [
            "type": "Available", "status": ready >= desired ? "True" : "False",
            "reason": ready >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            "message": ready >= desired ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
            "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
        ]
        var status: JSONValue = [
            "observedGeneration": generation, "replicas": .int(desired), "updatedReplicas": .int(desired),
            "readyReplicas": .int(ready), "availableReplicas": .int(ready), "unavailableReplicas": .int(desired - ready),
            "conditions": [available, progressing],
        ]
        if ready == 0 { status["readyReplicas"] = nil; status["availableReplicas"] = nil }
        if desired - ready == 0 { status["unavailableReplicas"] = nil }
        return status
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
