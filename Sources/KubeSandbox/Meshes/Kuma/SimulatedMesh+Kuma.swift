extension SimulatedMesh {
    /// Kuma's TrafficRoute and MeshHTTPRoute CRDs; a dataplane splits a Service's requests by the TrafficRoute
    /// naming its tag, or the MeshHTTPRoute naming its MeshService.
    public static let kuma = SimulatedMesh(
        name: "kuma", customResources: KumaCRDs.all,
        routesServices: { await $0.kumaSplit(service: $1.name, namespace: $1.namespace) },
        syntheticRoutings: { resolver in
            var routings: [ServiceResolver.Routing] = []
            for route in await resolver.trafficRoutes() { routings.append(await resolver.routing(ofTrafficRoute: route)) }
            for route in await resolver.meshHTTPRoutes() { routings.append(await resolver.routing(ofMeshHTTPRoute: route)) }
            return routings
        })
}

extension ProxyHop {
    /// A Kuma dataplane receiving a request: its Envoy's inbound cluster `localhost_<port>`, labelled with the
    /// dataplane's `kuma.io/service` tag as `service`.
    static func kumaDataplane(tag: String, port: Int) -> ProxyHop {
        ProxyHop(series: .envoyCluster, labels: ["cluster": "localhost_\(port)", "service": tag])
    }
}
