import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// The three ClusterIP Services of a Canary: the apex `<svc>` and `<svc>-primary` select the primary pods,
/// `<svc>-canary` the target's. Created owned by the Canary; on change only the fields Serin owns are patched.
public struct KubernetesServiceRouter: Sendable {
    let services: ResourceClient<JSONValue>
    let cache: ObjectCache<DynamicObject>

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        self.services = client.resource(.services, as: JSONValue.self)
        self.cache = cache
    }

    /// Creates or corrects the three Services.
    public func reconcile(_ canary: Canary, selector: (key: String, value: String), owner: OwnerReference) async throws {
        let name = canary.serviceName
        let service = canary.spec.service ?? CanaryService()
        try await apply(canary, name: name, selector: [selector.key: "\(selector.value)-primary"], metadata: service.apex, owner: owner, label: selector)
        try await apply(canary, name: "\(name)-primary", selector: [selector.key: "\(selector.value)-primary"], metadata: service.primary, owner: owner,
                        label: (selector.key, "\(name)-primary"))
        try await apply(canary, name: "\(name)-canary", selector: [selector.key: selector.value], metadata: service.canary, owner: owner,
                        label: (selector.key, "\(name)-canary"))
    }

    static func ports(_ canary: Canary) -> JSONValue {
        let service = canary.spec.service ?? CanaryService()
        let port = service.port ?? 80
        var entry: JSONValue = ["name": .string(service.portName ?? CanaryDefaults.portName), "port": .int(port), "protocol": "TCP"]
        switch service.targetPort {
        case .int(let number)?: entry["targetPort"] = .int(number)
        case .string(let name)?: entry["targetPort"] = .string(name)
        case nil: entry["targetPort"] = .int(port)
        }
        if let appProtocol = service.appProtocol { entry["appProtocol"] = .string(appProtocol) }
        return [entry]
    }

    private func apply(_ canary: Canary, name: String, selector: [String: String], metadata: CustomMetadata?, owner: OwnerReference,
                       label: (key: String, value: String)) async throws {
        var labels = metadata?.labels ?? [:]
        labels[label.key] = label.value
        var spec: JSONValue = [
            "type": "ClusterIP", "ports": KubernetesServiceRouter.ports(canary),
            "selector": .object(JSONObject(uniqueKeysWithValues: selector.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ]
        if canary.spec.service?.headless == true { spec["clusterIP"] = "None" }
        guard let existing = cache.get(namespace: canary.namespace, name: name)?.json else {
            let object: JSONValue = [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": .string(name), "namespace": .string(canary.namespace), "labels": stringMap(labels),
                             "annotations": stringMap(metadata?.annotations ?? [:]), "ownerReferences": [owner.json]],
                "spec": spec,
            ]
            do { _ = try await services.create(object, namespace: canary.namespace) } catch let error as KubeAPIError where error.isAlreadyExists {}
            return
        }
        // Only Services this Canary owns are corrected; a user's own apex Service keeps its metadata.
        let owned = (existing[path: "metadata", "ownerReferences"]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == owner.uid }
        var patch: JSONValue = [:]
        if existing[path: "spec", "selector"] != spec["selector"] { patch[path: "spec", "selector"] = spec["selector"] }
        if existing[path: "spec", "ports"]?.arrayValue?.first?["port"] != spec["ports"]?[0]?["port"]
            || existing[path: "spec", "ports"]?.arrayValue?.first?["targetPort"] != spec["ports"]?[0]?["targetPort"] {
            patch[path: "spec", "ports"] = spec["ports"]
        }
        if owned, let current = existing[path: "metadata", "labels"]?.objectValue, labels.contains(where: { current[$0.key]?.stringValue != $0.value }) {
            patch[path: "metadata", "labels"] = stringMap(labels)
        }
        guard patch.objectValue?.isEmpty == false else { return }
        _ = try await services.patch(name, namespace: canary.namespace, patch: .merge(patch))
    }

    private func stringMap(_ map: [String: String]) -> JSONValue {
        .object(JSONObject(uniqueKeysWithValues: map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }
}
