extension SimulatedMesh {
    /// APISIX's ApisixRoute CRD; APISIX routes a host by the ApisixRoute rules that match it.
    public static let apisix = SimulatedMesh(
        name: "apisix", customResources: APISIXCRDs.all,
        routesHosts: { await $0.apisixRouting(host: $1.requestHost, request: $1.request) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for host in await resolver.apisixHosts() {
                if let routing = await resolver.apisixRouting(host: host, request: .synthetic) { routings.append(routing) }
            }
            return routings
        })
}
