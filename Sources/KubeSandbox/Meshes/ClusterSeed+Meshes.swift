import KubeAPIServer

extension ClusterSeed {
    /// The system namespaces plus what installing `meshes` creates: their namespaces and CRDs.
    public init(meshes: [SimulatedMesh]) {
        self.init(
            namespaces: ClusterSeed.systemNamespaces + meshes.flatMap(\.namespaces), customResources: meshes.flatMap(\.customResources))
    }
}
