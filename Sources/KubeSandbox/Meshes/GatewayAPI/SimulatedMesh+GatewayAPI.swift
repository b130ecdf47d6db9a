extension SimulatedMesh {
    /// The Gateway API's standard CRDs; a gateway routes a host by the HTTPRoute that names it.
    public static let gatewayAPI = SimulatedMesh(
        name: "gateway-api", customResources: GatewayAPICRDs.all,
        routesHosts: { resolver, lookup in
            guard let route = await resolver.httpRoute(forHost: lookup.requestHost) else { return nil }
            return await resolver.routing(ofHTTPRoute: route, request: lookup.request)
        },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for route in await resolver.httpRoutes() { routings.append(await resolver.routing(ofHTTPRoute: route, request: .synthetic)) }
            return routings
        })
}
