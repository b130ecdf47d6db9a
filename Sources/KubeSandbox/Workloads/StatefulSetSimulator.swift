import Foundation
import KubeAPIServer
import KubeCore

/// Runs StatefulSets as the StatefulSet controller does, with pods: one pod `<name>-<ordinal>` per ordinal,
/// made from the revision its ordinal gets (below `updateStrategy.rollingUpdate.partition` the current
/// revision, else the update revision) and labelled `controller-revision-hash`.
///
/// - Pods are created in ordinal order, each once the one before is ready (`OrderedReady`), or all at once
///   (`Parallel`); a deleted pod is created again.
/// - A rolling update replaces the pods at or above the partition that run another revision, highest ordinal
///   first, one at a time, each once every pod is ready.
/// - A pod becomes ready after its template's `sandbox.serin.dev/ready-after` (default 200 ms), never with
///   `sandbox.serin.dev/never-ready: "true"`.
/// - The status counts pods per revision; the current revision becomes the update revision once every pod runs
///   it and is ready.
public actor StatefulSetSimulator {
    static let revisionLabel = "controller-revision-hash"

    let store: ObjectStore
    let clock: OperatorClock
    /// Each revision's pod template, by revision name (the controller's ControllerRevisions).
    private var templates: [String: JSONValue] = [:]
    /// The readiness timer of each pod being started, by `namespace/name`.
    var readying: [String: Task<Void, Never>] = [:]

    func templateOf(_ revision: String) -> JSONValue? { templates[revision] }

    public init(store: ObjectStore, clock: OperatorClock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Follows StatefulSets and their pods until cancelled.
    public func run() async {
        let (events, continuation) = AsyncStream.makeStream(of: (String, String).self)
        await store.observe { _, type, object in
            let resource = type.resource
            let namespace = object[path: "metadata", "namespace"]?.stringValue ?? ""
            if resource.group == "apps" && resource.plural == "statefulsets", let name = object[path: "metadata", "name"]?.stringValue {
                continuation.yield((namespace, name))
            } else if resource.group.isEmpty && resource.plural == "pods", let set = StatefulSetSimulator.owner(of: object) {
                continuation.yield((namespace, set))
            }
        }
        for await (namespace, name) in events { await reconcile(namespace: namespace, name: name) }
        for task in readying.values { task.cancel() }
    }

    /// The StatefulSet owning a pod, by its controller reference.
    static func owner(of pod: JSONValue) -> String? {
        (pod[path: "metadata", "ownerReferences"]?.arrayValue ?? []).first { $0["kind"]?.stringValue == "StatefulSet" }?["name"]?.stringValue
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        pod[path: "metadata", "deletionTimestamp"] == nil
            && (pod[path: "status", "conditions"]?.arrayValue ?? []).contains {
                $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
            }
    }

    /// `<name>-<hash of the template>`, as the controller names ControllerRevisions.
    static func revisionName(_ set: String, template: JSONValue) -> String {
        "\(set)-\(WorkloadStatus.replicaSetName(["metadata": ["name": ""], "spec": ["template": template]]).dropFirst())"
    }

    func ordinal(_ pod: JSONValue, in set: String) -> Int? {
        guard let name = pod[path: "metadata", "name"]?.stringValue, name.hasPrefix(set + "-") else { return nil }
        return Int(name.dropFirst(set.count + 1))
    }

    /// Takes a pod without an owner that the set's selector selects and whose name is one of its ordinals (a
    /// set deleted with `--cascade=orphan` and made again), as the controller adopts it.
    func adopt(_ pod: JSONValue, by set: JSONValue, podType: ResourceType) async -> JSONValue? {
        let name = set[path: "metadata", "name"]?.stringValue ?? ""
        let selector = set[path: "spec", "selector", "matchLabels"]?.objectValue ?? [:]
        let labels = DynamicObject(json: pod).labels
        guard ordinal(pod, in: name) != nil, !selector.isEmpty, selector.allSatisfy({ labels[$0.key] == $0.value.stringValue }) else { return nil }
        var adopted = pod
        adopted[path: "metadata", "ownerReferences"] = [
            [
                "apiVersion": "apps/v1", "kind": "StatefulSet", "name": .string(name), "uid": set[path: "metadata", "uid"] ?? "",
                "controller": true, "blockOwnerDeletion": true,
            ]
        ]
        let namespace = pod[path: "metadata", "namespace"]?.stringValue
        return try? await store.update(podType, namespace: namespace, name: pod[path: "metadata", "name"]?.stringValue ?? "", object: adopted)
    }

    /// One pass of the controller over a set; a status write that lost a race with another writer (the
    /// operator's partition patch) is done again from the latest object, so no change is left unreported.
    func reconcile(namespace: String, name: String, attempt: Int = 0) async {
        guard let setType = await store.type(plural: "statefulsets", group: "apps"), let podType = await store.type(plural: "pods"),
            let set = try? await store.get(setType, namespace: namespace, name: name)
        else { return }
        let template = set[path: "spec", "template"] ?? [:]
        let update = StatefulSetSimulator.revisionName(name, template: template)
        templates[update] = template
        var current = set[path: "status", "currentRevision"]?.stringValue ?? update
        if templates[current] == nil { current = update }
        let pods = await ownedPods(of: set, podType: podType)
        await step(set, pods: pods, current: current, update: update, podType: podType)
        var next = set
        next["status"] = StatefulSetSimulator.status(of: set, pods: pods, current: current, update: update, now: clock.date)
        guard next["status"] != set["status"] else { return }
        do {
            _ = try await store.update(setType, namespace: namespace, name: name, object: next, subresource: "status")
        } catch {
            guard attempt < 5 else { return }
            await reconcile(namespace: namespace, name: name, attempt: attempt + 1)
        }
    }

    /// The controller's one move: a pod beyond the replicas deleted, a missing one created (in order unless
    /// `Parallel`), or, once every pod is ready, the highest pod at or above the partition on another revision
    /// deleted (it is made again from the update revision).
    private func step(_ set: JSONValue, pods: [Int: JSONValue], current: String, update: String, podType: ResourceType) async {
        let name = set[path: "metadata", "name"]?.stringValue ?? "", namespace = set[path: "metadata", "namespace"]?.stringValue
        let spec = set["spec"] ?? [:]
        let replicas = max(spec["replicas"]?.intValue ?? 1, 0)
        let partition = max(spec[path: "updateStrategy", "rollingUpdate", "partition"]?.intValue ?? 0, 0)
        let parallel = spec["podManagementPolicy"]?.stringValue == "Parallel"
        func ready(_ ordinal: Int) -> Bool { pods[ordinal].map(StatefulSetSimulator.isReady) ?? false }
        if let excess = pods.keys.filter({ $0 >= replicas }).max() {
            _ = try? await store.delete(podType, namespace: namespace, name: "\(name)-\(excess)")
        } else if let missing = (0..<replicas).first(where: { pods[$0] == nil }), parallel || (0..<missing).allSatisfy(ready) {
            for ordinal in parallel ? (0..<replicas).filter({ pods[$0] == nil }) : [missing] {
                await create(set, ordinal: ordinal, revision: ordinal < partition ? current : update, podType: podType)
            }
        } else if (0..<replicas).allSatisfy(ready),
            let stale = (partition..<max(partition, replicas)).reversed().first(where: { StatefulSetSimulator.revision(of: pods[$0]) != update })
        {
            _ = try? await store.delete(podType, namespace: namespace, name: "\(name)-\(stale)")
        }
    }
}
