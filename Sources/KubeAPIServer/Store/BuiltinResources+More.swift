import KubeCore

/// Jobs, CronJobs, Ingresses, NetworkPolicies, the `autoscaling/v1` view of HorizontalPodAutoscalers and Nodes: the
/// kinds kubectl's generators (`create job`, `create cronjob`, `create ingress`, `autoscale`) and a Flagger user's
/// manifests touch. No controller runs them here (the sandbox's `JobSimulator` runs Jobs); a CronJob never fires.
extension BuiltinResources {
    static var batchAndNetworking: [ResourceType] {
        [
            ResourceType(
                KubeResource(group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true),
                categories: ["all"], subresources: ["status"],
                columns: [
                    PrinterColumn(name: "Status") { object in
                        let holding = (object[path: "status", "conditions"]?.arrayValue ?? []).filter { $0["status"]?.stringValue == "True" }
                        let types = holding.compactMap { $0["type"]?.stringValue }
                        if types.contains("Complete") { return "Complete" }
                        if types.contains("Failed") { return "Failed" }
                        return object[path: "status", "startTime"] == nil ? "Pending" : "Running"
                    },
                    PrinterColumn(name: "Completions") { object in
                        .string("\(object[path: "status", "succeeded"]?.intValue ?? 0)/\(object[path: "spec", "completions"]?.intValue ?? 1)")
                    },
                    age,
                ]),
            ResourceType(
                KubeResource(group: "batch", version: "v1", kind: "CronJob", plural: "cronjobs", namespaced: true),
                shortNames: ["cj"], categories: ["all"], subresources: ["status"],
                columns: [
                    PrinterColumn(name: "Schedule") { $0[path: "spec", "schedule"] ?? "" },
                    PrinterColumn(name: "Suspend") { .string(($0[path: "spec", "suspend"]?.boolValue ?? false) ? "True" : "False") },
                    PrinterColumn(name: "Active", type: "integer") { .int($0[path: "status", "active"]?.arrayValue?.count ?? 0) },
                    age,
                ]),
            ResourceType(
                KubeResource(group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", namespaced: true),
                shortNames: ["ing"], subresources: ["status"],
                columns: [
                    PrinterColumn(name: "Class") { $0[path: "spec", "ingressClassName"] ?? "<none>" },
                    PrinterColumn(name: "Hosts") { object in
                        let hosts = (object[path: "spec", "rules"]?.arrayValue ?? []).map { $0["host"]?.stringValue ?? "*" }
                        return .string(hosts.isEmpty ? "*" : hosts.joined(separator: ","))
                    },
                    age,
                ]),
            ResourceType(
                KubeResource(
                    group: "networking.k8s.io", version: "v1", kind: "IngressClass", plural: "ingressclasses",
                    namespaced: false), columns: [age]),
            ResourceType(
                KubeResource(
                    group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies",
                    namespaced: true), shortNames: ["netpol"], columns: [age]),
        ]
    }

    /// The reviews of authentication and authorization: created and answered, never stored (`kubectl auth can-i`,
    /// `kubectl auth whoami`).
    static var reviews: [ResourceType] {
        let kinds: [(String, String, String)] = [
            ("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews"),
            ("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews"),
            ("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews"),
            ("authentication.k8s.io", "TokenReview", "tokenreviews"),
            ("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews"),
        ]
        return kinds.map { group, kind, plural in
            var type = ResourceType(KubeResource(group: group, version: "v1", kind: kind, plural: plural, namespaced: false))
            type.verbs = ["create"]
            return type
        }
    }

    /// HorizontalPodAutoscalers through `autoscaling/v1` (what `kubectl autoscale` writes), stored as `autoscaling/v2`.
    static var autoscalingV1: ResourceType {
        var type = ResourceType(
            KubeResource(
                group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers",
                namespaced: true),
            shortNames: ["hpa"], categories: ["all"], subresources: ["status"], columns: hpaColumns)
        type.conversion = .autoscalingV1
        return type
    }

    static let nodeColumns: [PrinterColumn] = [
        PrinterColumn(name: "Status") { object in
            let ready = (object[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"] == "Ready" }
            return .string(ready?["status"] == "True" ? "Ready" : "NotReady")
        },
        PrinterColumn(name: "Roles") { _ in "<none>" },
        age,
        PrinterColumn(name: "Version") { $0[path: "status", "nodeInfo", "kubeletVersion"] ?? "" },
    ]

    /// The sandbox's one node, as the workload simulator schedules on it.
    static func node(created: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": "sandbox",
                "labels": [
                    "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "sandbox",
                ],
            ],
            "spec": [:],
            "status": [
                "conditions": [
                    [
                        "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "the sandbox is ready",
                        "lastHeartbeatTime": .string(created), "lastTransitionTime": .string(created),
                    ]
                ],
                "nodeInfo": ["kubeletVersion": "v1.32.0-sandbox", "operatingSystem": "linux", "architecture": "amd64"],
                "capacity": ["cpu": "2", "memory": "8Gi", "pods": "110"],
                "allocatable": ["cpu": "2", "memory": "8Gi", "pods": "110"],
            ],
        ]
    }
}
