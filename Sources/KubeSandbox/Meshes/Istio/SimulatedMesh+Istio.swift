extension SimulatedMesh {
    /// Istio: its networking CRDs and `istio-system`; sidecars and ingress gateways route by VirtualServices.
    public static let istio = SimulatedMesh(
        name: "istio", customResources: IstioCRDs.all, namespaces: ["istio-system"],
        routesServices: { await $0.istioServiceRouting($1) },
        routesHosts: { await $0.istioHostRouting($1) },
        syntheticRoutings: { await $0.istioSyntheticRoutings() })
}
