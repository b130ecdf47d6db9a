import Foundation
import KubeCore

extension SimulatedWorkload {
    /// A Deployment: `spec.replicas` pods, `readyReplicas` ready, with the `Available` and `Progressing`
    /// conditions the deployment controller writes (zero counts left out, as it leaves them).
    static let deployment = SimulatedWorkload(
        kind: "Deployment", group: "apps", plural: "deployments", readyField: "readyReplicas",
        desiredReplicas: { $0[path: "spec", "replicas"]?.intValue ?? 1 },
        status: { object, desired, ready, date, progressing in
            let now = KubeTime(date).description
            let available: JSONValue = [
                "type": "Available", "status": ready >= desired ? "True" : "False",
                "reason": ready >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                "message": ready >= desired ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
            ]
            var status: JSONValue = [
                "observedGeneration": object[path: "metadata", "generation"] ?? 1, "replicas": .int(desired), "updatedReplicas": .int(desired),
                "readyReplicas": .int(ready), "availableReplicas": .int(ready), "unavailableReplicas": .int(desired - ready),
                "conditions": [available, progressing],
            ]
            if ready == 0 { status["readyReplicas"] = nil; status["availableReplicas"] = nil }
            if desired - ready == 0 { status["unavailableReplicas"] = nil }
            return status
        })
}
