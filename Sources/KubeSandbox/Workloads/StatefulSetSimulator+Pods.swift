import Foundation
import KubeAPIServer
import KubeCore

extension StatefulSetSimulator {
    /// Creates the pod of `ordinal` from `revision`'s template, not ready, and schedules its readiness.
    func create(_ set: JSONValue, ordinal: Int, revision: String, podType: ResourceType) async {
        let name = set[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = set[path: "metadata", "namespace"]?.stringValue ?? ""
        let template = templateOf(revision) ?? set[path: "spec", "template"] ?? [:]
        var labels = template[path: "metadata", "labels"]?.objectValue ?? [:]
        labels[.init(StatefulSetSimulator.revisionLabel)] = .string(revision)
        labels["statefulset.kubernetes.io/pod-name"] = .string("\(name)-\(ordinal)")
        labels["apps.kubernetes.io/pod-index"] = .string(String(ordinal))
        var metadata: JSONValue = [
            "name": .string("\(name)-\(ordinal)"), "namespace": .string(namespace), "labels": .object(labels),
            "ownerReferences": [
                [
                    "apiVersion": "apps/v1", "kind": "StatefulSet", "name": .string(name), "uid": set[path: "metadata", "uid"] ?? "",
                    "controller": true, "blockOwnerDeletion": true,
                ]
            ],
        ]
        // The configs' sandbox settings as the pod reads them at its start (`envFrom`): later edits reach only new pods.
        let configured = await ServiceResolver(store: store, meshes: []).configuration(of: ["spec": ["template": template]], namespace: namespace)
        var podAnnotations = template[path: "metadata", "annotations"]?.objectValue ?? [:]
        for (key, value) in configured { podAnnotations[.init(key)] = .string(value) }
        if !podAnnotations.isEmpty { metadata["annotations"] = .object(podAnnotations) }
        var podSpec = template["spec"] ?? [:]
        podSpec["hostname"] = .string("\(name)-\(ordinal)")
        if let service = set[path: "spec", "serviceName"] { podSpec["subdomain"] = service }
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": podSpec]
        guard let stored = try? await store.create(podType, namespace: namespace, object: pod) else { return }
        await write(stored, ready: false, podType: podType)
        let annotations = DynamicObject(json: ["metadata": template["metadata"] ?? [:]]).metadata.annotations ?? [:]
        guard annotations[WorkloadSimulator.Annotation.neverReady] != "true" else { return }
        let delay =
            annotations[WorkloadSimulator.Annotation.readyAfter].flatMap { try? GoDuration(parsing: $0).duration }
            ?? WorkloadSimulator.defaultReadyAfter
        let key = "\(namespace)/\(name)-\(ordinal)"
        let clock = self.clock
        readying[key]?.cancel()
        readying[key] = Task {
            guard (try? await clock.sleep(for: delay)) != nil else { return }
            await self.becameReady(stored, podType: podType)
        }
    }

    private func becameReady(_ pod: JSONValue, podType: ResourceType) async {
        let namespace = pod[path: "metadata", "namespace"]?.stringValue, name = pod[path: "metadata", "name"]?.stringValue ?? ""
        readying["\(namespace ?? "")/\(name)"] = nil
        // Only the pod this timer was for: a pod deleted and made again has its own.
        guard let latest = try? await store.get(podType, namespace: namespace, name: name),
            latest[path: "metadata", "uid"] == pod[path: "metadata", "uid"]
        else { return }
        await write(latest, ready: true, podType: podType)
        // Available only `minReadySeconds` after: the set's status is counted again then.
        guard let set = StatefulSetSimulator.owner(of: latest), let namespace, let setType = await store.type(plural: "statefulsets", group: "apps"),
            let minReady = try? await store.get(setType, namespace: namespace, name: set)[path: "spec", "minReadySeconds"]?.intValue, minReady > 0
        else { return }
        let clock = self.clock
        Task {
            guard (try? await clock.sleep(for: .seconds(minReady))) != nil else { return }
            await self.reconcile(namespace: namespace, name: set)
        }
    }

    /// Writes a pod's status as the kubelet would: `Running` and `Ready` once ready, `Pending` before.
    private func write(_ pod: JSONValue, ready: Bool, podType: ResourceType) async {
        let now = JSONValue.string(KubeTime(clock.date).description)
        var updated = pod
        updated["status"] = [
            "phase": ready ? "Running" : "Pending", "startTime": now,
            "conditions": [
                ["type": "Ready", "status": ready ? "True" : "False", "lastTransitionTime": now],
                ["type": "ContainersReady", "status": ready ? "True" : "False", "lastTransitionTime": now],
            ],
        ]
        let namespace = pod[path: "metadata", "namespace"]?.stringValue, name = pod[path: "metadata", "name"]?.stringValue ?? ""
        _ = try? await store.update(podType, namespace: namespace, name: name, object: updated, subresource: "status")
    }
}
