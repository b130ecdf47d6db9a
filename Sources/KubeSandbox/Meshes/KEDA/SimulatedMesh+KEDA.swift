extension SimulatedMesh {
    /// KEDA's ScaledObject CRD, so Canaries with a KEDA autoscaler can be tried (nothing scales: no KEDA operator runs).
    public static let keda = SimulatedMesh(name: "keda", customResources: KedaCRDs.all)
}
