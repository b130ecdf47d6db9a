import KubeAPIServer
import Logging

extension InMemoryCluster {
    /// An in-memory cluster with the CRDs and namespaces of `meshes` (no simulator runs in it).
    public static func start(
        meshes: [SimulatedMesh] = SimulatedMesh.defaults, logger: Logger = Logger(label: "serin.in-memory")
    ) async throws
        -> InMemoryCluster
    {
        try await start(seed: ClusterSeed(meshes: meshes), aggregated: { [ExternalMetricsAdapter(store: $0)] }, logger: logger)
    }
}
