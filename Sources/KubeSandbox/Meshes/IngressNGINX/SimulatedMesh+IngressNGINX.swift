extension SimulatedMesh {
    /// ingress-nginx (Ingress is built in, so it installs no CRD): it routes a host by the Ingresses that name
    /// it, with Flagger's canary annotations.
    public static let ingressNGINX = SimulatedMesh(
        name: "ingress-nginx",
        routesHosts: { await $0.ingressRouting(host: $1.requestHost, request: $1.request) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for ingress in await resolver.ingresses() where IngressRouting.serves(ingress) && !IngressRouting.isCanary(ingress) {
                if let routing = await resolver.ingressRouting(host: nil, request: .synthetic, main: ingress) { routings.append(routing) }
            }
            return routings
        })
}
