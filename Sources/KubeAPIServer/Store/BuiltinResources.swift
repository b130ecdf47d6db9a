import Foundation
import KubeCore

/// The built-in kinds the sandbox serves, with the columns `kubectl get` shows for them.
enum BuiltinResources {
    static var all: [ResourceType] {
        [
            ResourceType(
                .namespaces, shortNames: ["ns"], subresources: ["status"],
                columns: [
                    PrinterColumn(name: "Status") { .string($0[path: "status", "phase"]?.stringValue ?? "Active") }, age,
                ]),
            ResourceType(.services, shortNames: ["svc"], categories: ["all"], subresources: ["status"], columns: serviceColumns),
            ResourceType(.endpoints, shortNames: ["ep"], columns: [age]),
            ResourceType(
                KubeResource(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices", namespaced: true),
                columns: [age]),
            ResourceType(
                .configMaps, shortNames: ["cm"],
                columns: [
                    PrinterColumn(name: "Data", type: "integer") { .int($0["data"]?.objectValue?.count ?? 0) }, age,
                ]),
            ResourceType(
                .secrets,
                columns: [
                    PrinterColumn(name: "Type") { $0["type"] ?? "Opaque" },
                    PrinterColumn(name: "Data", type: "integer") { .int($0["data"]?.objectValue?.count ?? 0) }, age,
                ]),
            ResourceType(.serviceAccounts, shortNames: ["sa"], subresources: ["token"], columns: [age]),
            ResourceType(.pods, shortNames: ["po"], categories: ["all"], subresources: ["status"], columns: [age]),
            ResourceType(.events, shortNames: ["ev"], columns: eventColumns),
            ResourceType(
                KubeResource(group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", namespaced: true),
                shortNames: ["ev"], columns: [age]),
            ResourceType(
                .deployments, shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"],
                columns: deploymentColumns),
            ResourceType(
                KubeResource(group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true),
                shortNames: ["rs"], categories: ["all"], subresources: ["status", "scale"], columns: [age]),
            ResourceType(.daemonSets, shortNames: ["ds"], categories: ["all"], subresources: ["status"], columns: daemonSetColumns),
            ResourceType(
                .horizontalPodAutoscalers, shortNames: ["hpa"], categories: ["all"], subresources: ["status"],
                columns: hpaColumns),
            autoscalingV1,
            ResourceType(
                KubeResource(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", namespaced: true),
                columns: [age]),
            ResourceType(
                KubeResource(
                    group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings",
                    namespaced: true), columns: [age]),
            ResourceType(
                KubeResource(
                    group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles",
                    namespaced: false), columns: [age]),
            ResourceType(
                KubeResource(
                    group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding",
                    plural: "clusterrolebindings", namespaced: false), columns: [age]),
            ResourceType(
                KubeResource(
                    group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets",
                    namespaced: true), shortNames: ["pdb"], subresources: ["status"], columns: [age]),
            ResourceType(
                .leases,
                columns: [
                    PrinterColumn(name: "Holder") { $0[path: "spec", "holderIdentity"] ?? "" }, age,
                ]),
            ResourceType(
                KubeResource(group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false), shortNames: ["no"],
                subresources: ["status"], columns: nodeColumns),
            ResourceType(
                KubeResource(
                    group: "", version: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims",
                    namespaced: true), shortNames: ["pvc"], subresources: ["status"], columns: [age]),
            ResourceType(
                KubeResource(group: "", version: "v1", kind: "ResourceQuota", plural: "resourcequotas", namespaced: true),
                shortNames: ["quota"], subresources: ["status"], columns: [age]),
            ResourceType(
                KubeResource(group: "", version: "v1", kind: "LimitRange", plural: "limitranges", namespaced: true),
                shortNames: ["limits"], columns: [age]),
            ResourceType(
                KubeResource(group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true),
                shortNames: ["sts"], categories: ["all"], subresources: ["status", "scale"], columns: [age]),
        ] + BuiltinResources.batchAndNetworking + BuiltinResources.reviews + [
            ResourceType(
                .customResourceDefinitions, shortNames: ["crd", "crds"], subresources: ["status"],
                columns: [
                    PrinterColumn(name: "Created At") { $0[path: "metadata", "creationTimestamp"] ?? .null }
                ], strategicMerge: false)
        ]
    }

    static let age = PrinterColumn(name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp")

    static let deploymentColumns: [PrinterColumn] = [
        PrinterColumn(name: "Ready") { object in
            let ready = object[path: "status", "readyReplicas"]?.intValue ?? 0
            return .string("\(ready)/\(object[path: "spec", "replicas"]?.intValue ?? 1)")
        },
        PrinterColumn(name: "Up-to-date", type: "integer") { $0[path: "status", "updatedReplicas"] ?? 0 },
        PrinterColumn(name: "Available", type: "integer") { $0[path: "status", "availableReplicas"] ?? 0 },
        age,
        PrinterColumn(name: "Containers", priority: 1) { names($0[path: "spec", "template", "spec", "containers"], "name") },
        PrinterColumn(name: "Images", priority: 1) { names($0[path: "spec", "template", "spec", "containers"], "image") },
    ]

    static let daemonSetColumns: [PrinterColumn] = [
        PrinterColumn(name: "Desired", type: "integer") { $0[path: "status", "desiredNumberScheduled"] ?? 0 },
        PrinterColumn(name: "Ready", type: "integer") { $0[path: "status", "numberReady"] ?? 0 },
        PrinterColumn(name: "Up-to-date", type: "integer") { $0[path: "status", "updatedNumberScheduled"] ?? 0 },
        age,
    ]

    static let serviceColumns: [PrinterColumn] = [
        PrinterColumn(name: "Type") { $0[path: "spec", "type"] ?? "ClusterIP" },
        PrinterColumn(name: "Cluster-IP") { $0[path: "spec", "clusterIP"] ?? "<none>" },
        PrinterColumn(name: "Port(s)") { object in
            let ports = (object[path: "spec", "ports"]?.arrayValue ?? []).map { port in
                "\(port["port"]?.intValue ?? 0)/\(port["protocol"]?.stringValue ?? "TCP")"
            }
            return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
        },
        age,
    ]

    static let hpaColumns: [PrinterColumn] = [
        PrinterColumn(name: "Reference") { object in
            .string(
                "\(object[path: "spec", "scaleTargetRef", "kind"]?.stringValue ?? "")/\(object[path: "spec", "scaleTargetRef", "name"]?.stringValue ?? "")"
            )
        },
        PrinterColumn(name: "Minpods", type: "integer") { $0[path: "spec", "minReplicas"] ?? 1 },
        PrinterColumn(name: "Maxpods", type: "integer") { $0[path: "spec", "maxReplicas"] ?? 0 },
        PrinterColumn(name: "Replicas", type: "integer") { $0[path: "status", "currentReplicas"] ?? 0 },
        age,
    ]

    static let eventColumns: [PrinterColumn] = [
        PrinterColumn(name: "Last Seen", type: "date") { $0["lastTimestamp"] ?? $0["eventTime"] ?? .null },
        PrinterColumn(name: "Type") { $0["type"] ?? "" },
        PrinterColumn(name: "Reason") { $0["reason"] ?? "" },
        PrinterColumn(name: "Object") { object in
            .string(
                "\(object[path: "involvedObject", "kind"]?.stringValue?.lowercased() ?? "")/\(object[path: "involvedObject", "name"]?.stringValue ?? "")"
            )
        },
        PrinterColumn(name: "Message") { $0["message"] ?? "" },
    ]

    private static func names(_ list: JSONValue?, _ field: String) -> JSONValue {
        .string((list?.arrayValue ?? []).compactMap { $0[field]?.stringValue }.joined(separator: ","))
    }

    /// Kubernetes' `HumanDuration`: `45s`, `2m30s`, `14m`, `3h20m`, `2d3h`, `45d`, `2y`.
    static func humanDuration(_ seconds: Double) -> String {
        let total = Int(max(seconds, 0))
        let minutes = total / 60, hours = total / 3600, days = total / 86400
        if total < 120 { return "\(total)s" }
        if minutes < 10 { return total % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(total % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 192 { return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h" }
        if days < 730 { return "\(days)d" }
        return "\(days / 365)y"
    }
}
