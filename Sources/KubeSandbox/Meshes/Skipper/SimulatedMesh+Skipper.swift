extension SimulatedMesh {
    /// Skipper (Ingress is built in, so it installs no CRD): it routes a host by the Ingresses of class
    /// `skipper` that name it, by their predicates and `zalando.org/backend-weights`, and counts each request
    /// in its route metrics.
    public static let skipper = SimulatedMesh(
        name: "skipper",
        routesHosts: { await $0.skipperRouting(host: $1.requestHost, path: $1.request.path) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for host in await resolver.skipperHosts() {
                if let routing = await resolver.skipperRouting(host: host, path: nil) { routings.append(routing) }
            }
            return routings
        })
}
