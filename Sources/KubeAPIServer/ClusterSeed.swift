import Foundation
import KubeCore

/// What a new cluster holds before anyone writes to it: the namespaces, the node `sandbox`, the
/// `cluster-admin` role bound to `system:masters`, and the custom resource definitions of what is installed
/// (the simulated meshes bring theirs).
public struct ClusterSeed: Sendable {
    /// The namespaces every cluster has.
    public static let systemNamespaces = ["default", "kube-system", "kube-public"]

    public var namespaces: [String]
    public var customResources: [JSONValue]

    public init(namespaces: [String] = ClusterSeed.systemNamespaces, customResources: [JSONValue] = []) {
        self.namespaces = namespaces
        self.customResources = customResources
    }

    /// Writes the seed into an empty store.
    public func install(into store: ObjectStore) async throws {
        guard let namespaceType = await store.type(plural: "namespaces"),
            let crdType = await store.type(plural: "customresourcedefinitions", group: "apiextensions.k8s.io")
        else {
            throw SandboxError(step: "seed the cluster", reason: "the store serves no namespaces or CRDs")
        }
        for name in namespaces {
            _ = try await store.create(namespaceType, namespace: nil, object: ["metadata": ["name": .string(name)]])
        }
        if let nodeType = await store.type(plural: "nodes") {
            let node = BuiltinResources.node(created: KubeTime(Date()).description)
            _ = try await store.create(nodeType, namespace: nil, object: node)
            _ = try await store.update(nodeType, namespace: nil, name: "sandbox", object: node, subresource: "status")
        }
        try await installClusterAdmin(into: store)
        for crd in customResources { _ = try await store.create(crdType, namespace: nil, object: crd) }
    }

    private func installClusterAdmin(into store: ObjectStore) async throws {
        guard let clusterRoles = await store.type(plural: "clusterroles", group: "rbac.authorization.k8s.io"),
            let bindings = await store.type(plural: "clusterrolebindings", group: "rbac.authorization.k8s.io")
        else {
            return
        }
        _ = try await store.create(
            clusterRoles, namespace: nil,
            object: [
                "metadata": ["name": "cluster-admin"],
                "rules": [["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]], ["nonResourceURLs": ["*"], "verbs": ["*"]]],
            ])
        _ = try await store.create(
            bindings, namespace: nil,
            object: [
                "metadata": ["name": "cluster-admin"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"],
                "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"]],
            ])
    }
}
