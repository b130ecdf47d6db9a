import Foundation
import KubeAPIServer
import KubeCore

/// Knative Serving's controllers, as far as the sandbox needs them: each new template of a Knative Service
/// becomes a Revision `<service>-0000N` (owned by the Service, with the template's annotations and spec),
/// ready after the template's `sandbox.serin.dev/ready-after` (default 200 ms; never with
/// `sandbox.serin.dev/never-ready`), and the Service's status says what Knative's does:
/// `latestCreatedRevisionName`, `latestReadyRevisionName`, `traffic` resolved to revisions,
/// `observedGeneration`, `url`, `address` and the `ConfigurationsReady`, `RoutesReady` and `Ready` conditions.
///
/// It does not create Configurations, Routes, Deployments or pods; a revision answers requests through
/// ``ServiceResolver/routing(ofKnativeService:)``.
public actor KnativeSimulator {
    /// The Revision annotation naming the template it was made from (the sandbox's, not Knative's).
    static let templateAnnotation = "sandbox.serin.dev/template-hash"

    private let store: ObjectStore
    private let clock: OperatorClock
    private var pending: [String: Task<Void, Never>] = [:]

    public init(store: ObjectStore, clock: OperatorClock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Follows Knative Services and Revisions until cancelled (at once, when Knative's CRDs are not installed).
    public func run() async {
        guard await store.type(plural: "services", group: KnativeCRDs.group) != nil else { return }
        let (events, continuation) = AsyncStream.makeStream(of: (String, String).self)
        await store.observe { event, type, object in
            guard type.resource.group == KnativeCRDs.group, event != "DELETED",
                let namespace = object[path: "metadata", "namespace"]?.stringValue
            else { return }
            switch type.resource.plural {
            case "services": continuation.yield((namespace, object[path: "metadata", "name"]?.stringValue ?? ""))
            case "revisions":
                continuation.yield((namespace, object[path: "metadata", "labels", "serving.knative.dev/service"]?.stringValue ?? ""))
            default: break
            }
        }
        // What existed before the observer was registered, as a controller's first list.
        if let services = await store.type(plural: "services", group: KnativeCRDs.group) {
            for service in (try? await store.list(services, namespace: nil).items) ?? [] {
                continuation.yield((service[path: "metadata", "namespace"]?.stringValue ?? "", service[path: "metadata", "name"]?.stringValue ?? ""))
            }
        }
        for await (namespace, name) in events where !name.isEmpty { await reconcile(namespace: namespace, name: name) }
        for task in pending.values { task.cancel() }
    }

    private func reconcile(namespace: String, name: String) async {
        guard let services = await store.type(plural: "services", group: KnativeCRDs.group),
            let revisionType = await store.type(plural: "revisions", group: KnativeCRDs.group),
            let service = try? await store.get(services, namespace: namespace, name: name)
        else { return }
        var revisions = await KnativeSimulator.revisions(of: name, namespace: namespace, type: revisionType, store: store)
        let hash = (service[path: "spec", "template"] ?? [:]).stableHash
        if revisions.last?[path: "metadata", "annotations", KnativeSimulator.templateAnnotation]?.stringValue != hash {
            guard let created = await createRevision(of: service, number: revisions.count + 1, hash: hash, type: revisionType) else { return }
            revisions.append(created)
        }
        let status = KnativeSimulator.status(of: service, revisions: revisions, now: clock.date)
        guard KnativeSimulator.withoutTimes(service["status"]) != KnativeSimulator.withoutTimes(status) else { return }
        var updated = service
        updated["status"] = status
        _ = try? await store.update(services, namespace: namespace, name: name, object: updated, subresource: "status")
    }

    /// The Service's revisions, oldest first.
    static func revisions(of service: String, namespace: String, type: ResourceType, store: ObjectStore) async -> [JSONValue] {
        let selector = try? LabelSelectorQuery("serving.knative.dev/service=\(service)")
        let items = (try? await store.list(type, namespace: namespace, labelSelector: selector).items) ?? []
        return items.sorted { generation(of: $0) < generation(of: $1) }
    }

    static func generation(of revision: JSONValue) -> Int {
        revision[path: "metadata", "labels", "serving.knative.dev/configurationGeneration"]?.stringValue.flatMap(Int.init) ?? 0
    }

    /// Creates Revision `<service>-<number, five digits>`, not ready, and makes it ready after its delay.
    private func createRevision(of service: JSONValue, number: Int, hash: String, type: ResourceType) async -> JSONValue? {
        let name = service[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = service[path: "metadata", "namespace"]?.stringValue ?? "default"
        let revisionName = "\(name)-\(String(format: "%05d", number))"
        var annotations = service[path: "spec", "template", "metadata", "annotations"]?.objectValue ?? [:]
        annotations[KnativeSimulator.templateAnnotation] = .string(hash)
        let revision: JSONValue = [
            "apiVersion": "serving.knative.dev/v1", "kind": "Revision",
            "metadata": [
                "name": .string(revisionName), "namespace": .string(namespace), "annotations": .object(annotations),
                "labels": [
                    "serving.knative.dev/service": .string(name), "serving.knative.dev/configuration": .string(name),
                    "serving.knative.dev/configurationGeneration": .string(String(number)),
                ],
                "ownerReferences": [
                    [
                        "apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": .string(name),
                        "uid": service[path: "metadata", "uid"] ?? "", "controller": true, "blockOwnerDeletion": true,
                    ]
                ],
            ],
            "spec": service[path: "spec", "template", "spec"] ?? [:],
        ]
        guard var created = try? await store.create(type, namespace: namespace, object: revision) else { return nil }
        created["status"] = KnativeSimulator.revisionStatus(ready: "Unknown", reason: "Deploying", now: clock.date)
        created = (try? await store.update(type, namespace: namespace, name: revisionName, object: created, subresource: "status")) ?? created
        let never = annotations["sandbox.serin.dev/never-ready"]?.stringValue == "true"
        let delay = annotations["sandbox.serin.dev/ready-after"]?.stringValue.flatMap { try? GoDuration(parsing: $0).duration } ?? .milliseconds(200)
        if !never {
            let store = self.store, clock = self.clock
            pending["\(namespace)/\(revisionName)"] = Task {
                guard (try? await clock.sleep(for: delay)) != nil else { return }
                await KnativeSimulator.markReady(revisionName, namespace: namespace, type: type, store: store, now: clock.date)
            }
        }
        return created
    }

    private static func markReady(_ name: String, namespace: String, type: ResourceType, store: ObjectStore, now: Date) async {
        for _ in 0..<5 {
            guard var revision = try? await store.get(type, namespace: namespace, name: name) else { return }
            revision["status"] = revisionStatus(ready: "True", reason: nil, now: now)
            if (try? await store.update(type, namespace: namespace, name: name, object: revision, subresource: "status")) != nil { return }
        }
    }
}
