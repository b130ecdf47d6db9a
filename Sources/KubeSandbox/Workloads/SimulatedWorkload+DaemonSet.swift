import Foundation
import KubeCore

extension SimulatedWorkload {
    /// The labels of the sandbox's one node: a DaemonSet runs a pod there when its node selector matches.
    static let nodeLabels: [String: String] = ["kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "sandbox"]

    /// A DaemonSet: one pod on the sandbox's node when its node selector matches the node, `numberReady` ready.
    static let daemonSet = SimulatedWorkload(
        kind: "DaemonSet", group: "apps", plural: "daemonsets", readyField: "numberReady",
        desiredReplicas: { object in
            let selector = object[path: "spec", "template", "spec", "nodeSelector"]?.objectValue ?? [:]
            return selector.allSatisfy { nodeLabels[$0.key] == $0.value.stringValue } ? 1 : 0
        },
        status: { object, desired, ready, _, _ in
            [
                "observedGeneration": object[path: "metadata", "generation"] ?? 1, "currentNumberScheduled": .int(desired),
                "desiredNumberScheduled": .int(desired), "numberMisscheduled": 0, "numberReady": .int(ready),
                "updatedNumberScheduled": .int(desired), "numberAvailable": .int(ready), "numberUnavailable": .int(desired - ready),
            ]
        })
}
