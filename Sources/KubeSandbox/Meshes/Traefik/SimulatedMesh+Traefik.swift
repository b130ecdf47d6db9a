extension SimulatedMesh {
    /// Traefik's IngressRoute, TraefikService and Middleware CRDs; Traefik routes a host by its IngressRoutes.
    public static let traefik = SimulatedMesh(
        name: "traefik", customResources: TraefikCRDs.all,
        routesHosts: { await $0.traefikRouting(host: $1.requestHost, request: $1.request) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for service in await resolver.traefik("traefikservices") { routings.append(await resolver.routing(ofTraefikService: service)) }
            return routings
        })
}
