extension SimulatedMesh {
    /// Contour's HTTPProxy CRD; Contour's Envoy routes a host by the HTTPProxy whose virtual host names it.
    public static let contour = SimulatedMesh(
        name: "contour", customResources: ContourCRDs.all,
        routesHosts: { await $0.contourRouting(host: $1.requestHost, request: $1.request) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for proxy in await resolver.httpProxies() {
                if let routing = await resolver.routing(ofHTTPProxy: proxy, request: .synthetic) { routings.append(routing) }
            }
            return routings
        })
}
