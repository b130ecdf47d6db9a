import KubeAPIServer

extension ClusterSeed {
    /// The system namespaces plus what installing `meshes` creates: their namespaces and CRDs; and Keptn's
    /// metrics CRDs (``KeptnSimulator``).
    public init(meshes: [SimulatedMesh]) {
        self.init(
            namespaces: ClusterSeed.systemNamespaces + meshes.flatMap(\.namespaces),
            customResources: meshes.flatMap(\.customResources) + KeptnSimulator.customResources)
    }
}
