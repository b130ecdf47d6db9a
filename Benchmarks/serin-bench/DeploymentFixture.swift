import KubeClient
import KubeCore

/// Realistic Deployments of about 5 KB each, as the API server returns them: labels, annotations with a
/// `kubectl.kubernetes.io/last-applied-configuration`, managedFields, containers with env, ports,
/// resources, probes and mounts, and a status with conditions.
enum DeploymentFixture {
    static func deployment(_ index: Int) -> JSONValue {
        let name = "service-\(index)"
        let labels: JSONValue = ["app": .string(name), "app.kubernetes.io/name": .string(name), "team": "payments", "tier": "backend"]
        var container: JSONValue = [
            "name": .string(name), "image": .string("registry.example.com/payments/\(name):1.\(index % 50).3"),
            "imagePullPolicy": "IfNotPresent",
            "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"], ["name": "metrics", "containerPort": 9090, "protocol": "TCP"]],
            "resources": ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["cpu": "1", "memory": "512Mi"]],
            "readinessProbe": [
                "httpGet": ["path": "/ready", "port": "http", "scheme": "HTTP"], "initialDelaySeconds": 5,
                "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3,
            ],
            "livenessProbe": [
                "httpGet": ["path": "/healthz", "port": "http", "scheme": "HTTP"], "periodSeconds": 10,
                "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3,
            ],
            "volumeMounts": [["name": "config", "mountPath": "/etc/app", "readOnly": true], ["name": "tmp", "mountPath": "/tmp"]],
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        ]
        container["env"] = .array((0..<8).map { ["name": .string("SETTING_\($0)"), "value": .string("value-\(index)-\($0)")] })
        let spec: JSONValue = [
            "replicas": .int(index % 5 + 1), "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "selector": ["matchLabels": ["app": .string(name)]],
            "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]],
            "template": [
                "metadata": ["labels": labels, "annotations": ["prometheus.io/scrape": "true", "prometheus.io/port": "9090"]],
                "spec": [
                    "containers": [container], "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                    "serviceAccountName": .string(name), "securityContext": ["runAsNonRoot": true, "runAsUser": 10001, "fsGroup": 10001],
                    "volumes": [
                        ["name": "config", "configMap": ["name": .string("\(name)-config"), "defaultMode": 420]],
                        ["name": "tmp", "emptyDir": [:]],
                    ],
                ],
            ],
        ]
        let applied: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": "prod", "labels": labels], "spec": spec,
        ]
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": [
                "name": .string(name), "namespace": "prod", "uid": .string("5b0c7a52-8a2e-4c5e-9d1f-\(String(100_000_000_000 + index))"),
                "resourceVersion": .string(String(1_000_000 + index)), "generation": 3,
                "creationTimestamp": "2026-11-01T10:00:00Z", "labels": labels,
                "annotations": [
                    "deployment.kubernetes.io/revision": "3", "kubectl.kubernetes.io/last-applied-configuration": .string(applied.jsonString),
                ],
                "managedFields": [
                    [
                        "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1",
                        "time": "2026-11-01T10:00:00Z", "fieldsType": "FieldsV1",
                        "fieldsV1": ["f:metadata": ["f:labels": [".": [:], "f:app": [:]]], "f:spec": ["f:replicas": [:]]],
                    ]
                ],
            ],
            "spec": spec,
            "status": [
                "observedGeneration": 3, "replicas": .int(index % 5 + 1), "updatedReplicas": .int(index % 5 + 1),
                "readyReplicas": .int(index % 5 + 1), "availableReplicas": .int(index % 5 + 1),
                "conditions": [
                    [
                        "type": "Available", "status": "True", "lastUpdateTime": "2026-11-01T10:01:00Z", "lastTransitionTime": "2026-11-01T10:01:00Z",
                        "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.",
                    ],
                    [
                        "type": "Progressing", "status": "True", "lastUpdateTime": "2026-11-01T10:01:00Z",
                        "lastTransitionTime": "2026-11-01T10:00:00Z",
                        "reason": "NewReplicaSetAvailable", "message": .string("ReplicaSet \"\(name)-7d9f8b6c5\" has successfully progressed."),
                    ],
                ],
            ],
        ]
    }

    /// A `DeploymentList` of `count` Deployments, as JSON bytes.
    static func list(count: Int) -> [UInt8] {
        let list: JSONValue = [
            "apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": ["resourceVersion": "2000000"],
            "items": .array((0..<count).map(deployment)),
        ]
        return list.serialized()
    }

    /// Creates `count` Deployments in `default` through the API, from 8 concurrent clients.
    static func create(count: Int, in client: KubeClient) async throws {
        let deployments = client.resource(.deployments, as: JSONValue.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: count, by: 8) {
                        var object = DeploymentFixture.deployment(index)
                        object["status"] = nil
                        object[path: "metadata", "namespace"] = "default"
                        object[path: "metadata", "resourceVersion"] = nil
                        _ = try await deployments.create(object, namespace: "default")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
