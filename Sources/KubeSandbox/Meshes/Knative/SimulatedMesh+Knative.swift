extension SimulatedMesh {
    /// Knative Serving's CRDs; its ingress sends a Knative Service's host (`<name>.<namespace>`, its
    /// `.svc.cluster.local` address or its `example.com` URL) to its revisions by `status.traffic`
    /// (``KnativeSimulator`` makes the revisions and the status).
    public static let knative = SimulatedMesh(
        name: "knative", customResources: KnativeCRDs.all,
        routesServices: { await $0.knativeRouting(service: $1.name, namespace: $1.namespace) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for service in await resolver.knative("services") { routings.append(await resolver.routing(ofKnativeService: service)) }
            return routings
        })
}
