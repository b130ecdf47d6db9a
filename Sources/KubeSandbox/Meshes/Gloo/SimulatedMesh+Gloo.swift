extension SimulatedMesh {
    /// Gloo Edge's Upstream, VirtualService and RouteTable CRDs (not in ``defaults``); Gloo routes a host by
    /// its VirtualServices and their RouteTables.
    public static let gloo = SimulatedMesh(
        name: "gloo", customResources: GlooCRDs.all,
        routesHosts: { await $0.glooRouting(host: $1.requestHost, request: $1.request) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            let upstreams = await resolver.gloo("upstreams", group: "gloo.solo.io")
            for table in await resolver.gloo("routetables", group: "gateway.solo.io") {
                if let routing = await resolver.routing(ofRouteTable: table, request: .synthetic, upstreams: upstreams) { routings.append(routing) }
            }
            return routings
        })
}
