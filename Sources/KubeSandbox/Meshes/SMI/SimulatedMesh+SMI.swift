extension SimulatedMesh {
    /// The SMI TrafficSplit CRD, as linkerd-smi installs it; a sidecar splits a Service's requests by it.
    public static let smi = SimulatedMesh(
        name: "smi", customResources: SMICRDs.all,
        routesServices: { await $0.meshSplit(service: $1.name, namespace: $1.namespace, request: $1.request) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for split in await resolver.trafficSplits() { routings.append(await resolver.routing(ofTrafficSplit: split)) }
            return routings
        })
}
