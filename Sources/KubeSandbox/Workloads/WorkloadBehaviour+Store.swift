import KubeAPIServer
import KubeCore

extension WorkloadBehaviour {
    /// The success rate, in percent, that the workload's traffic measures.
    public var successPercent: Double { 100 * (1 - errorRatio) }

    /// The behaviour of the Deployment `name` in `namespace`; `nil` when the store has no such Deployment.
    public static func ofDeployment(_ name: String, namespace: String, in store: ObjectStore) async -> WorkloadBehaviour? {
        guard let deployments = await store.type(plural: "deployments", group: "apps") else { return nil }
        do { return WorkloadBehaviour(workload: try await store.get(deployments, namespace: namespace, name: name)) } catch { return nil }
    }
}
