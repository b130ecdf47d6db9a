import KubeAPIServer
import KubeCore

/// The mesh as Envoy is told it: a virtual host per VirtualService (its hosts as domains, its HTTP routes in
/// order) and per Service no VirtualService names, each route's weighted destinations resolved to workloads.
struct EnvoyMesh: Sendable, Equatable {
    /// One workload reached through one Service: an Envoy cluster.
    struct Upstream: Sendable, Hashable, Comparable {
        var namespace: String
        var serviceName: String
        var workload: String

        static func < (lhs: Upstream, rhs: Upstream) -> Bool {
            (lhs.namespace, lhs.serviceName, lhs.workload) < (rhs.namespace, rhs.serviceName, rhs.workload)
        }
    }

    struct Destination: Sendable, Equatable {
        var weight: Double
        var upstreams: [Upstream]
        var responseHeaders: [String: String] = [:]
    }

    struct Route: Sendable, Equatable {
        /// The VirtualService's `match` blocks (any one holds); empty: every request.
        var matches: [JSONValue]
        var destinations: [Destination]
        var mirror: Mirror?
    }

    struct Mirror: Sendable, Equatable {
        var percent: Double
        var upstreams: [Upstream]
    }

    struct VirtualHost: Sendable, Equatable {
        var name: String
        var domains: [String]
        var routes: [Route]
        /// Synthetic requests a second (`sandbox.serin.dev/rps`), for a VirtualService's host; nil for a plain Service.
        var requestsPerSecond: Double?
    }

    var virtualHosts: [VirtualHost] = []

    /// Every upstream any route names, sorted: the clusters, in a stable order.
    var upstreams: [Upstream] {
        let all = virtualHosts.flatMap(\.routes).flatMap { route in
            route.destinations.flatMap(\.upstreams) + (route.mirror?.upstreams ?? [])
        }
        return Set(all).sorted()
    }

    /// `svc`, `svc.ns`, `svc.ns.svc` and `svc.ns.svc.cluster.local` for a short name; a dotted host as it is.
    static func domains(_ host: String, namespace: String) -> [String] {
        host.contains(".") ? [host] : [host, "\(host).\(namespace)", "\(host).\(namespace).svc", "\(host).\(namespace).svc.cluster.local"]
    }
}

extension ServiceResolver {
    /// The whole mesh now, for Envoy: VirtualServices first (in namespace and name order; one Envoy plays the
    /// sidecars and the gateways, so a host is routed alike whichever `gateways` name it), then Services.
    /// Delegating routes are not translated.
    func mesh() async -> EnvoyMesh {
        var mesh = EnvoyMesh()
        var claimed: Set<String> = []
        if let type = await store.types.first(where: { $0.resource.group == "networking.istio.io" && $0.resource.plural == "virtualservices" }),
            let page = try? await store.list(type, namespace: nil)
        {
            for virtualService in page.items {
                let namespace = virtualService[path: "metadata", "namespace"]?.stringValue ?? "default"
                let domains = (virtualService[path: "spec", "hosts"]?.arrayValue ?? []).compactMap(\.stringValue)
                    .flatMap { EnvoyMesh.domains($0, namespace: namespace) }.filter { !claimed.contains($0) }
                guard !domains.isEmpty else { continue }
                claimed.formUnion(domains)
                var routes: [EnvoyMesh.Route] = []
                var rates: [Double] = []
                for route in virtualService[path: "spec", "http"]?.arrayValue ?? [] where route["delegate"] == nil {
                    let translated = await meshRoute(route, namespace: namespace)
                    rates += translated.rates
                    routes.append(translated.route)
                }
                let name = "\(namespace)/\(virtualService[path: "metadata", "name"]?.stringValue ?? "")"
                mesh.virtualHosts.append(
                    .init(
                        name: name, domains: domains, routes: routes,
                        requestsPerSecond: rates.max() ?? TrafficSimulator.defaultRequestsPerSecond))
            }
        }
        guard let services = await store.types.first(where: { $0.resource.group == "" && $0.resource.plural == "services" }),
            let page = try? await store.list(services, namespace: nil)
        else { return mesh }
        for service in page.items {
            let name = service[path: "metadata", "name"]?.stringValue ?? "",
                namespace = service[path: "metadata", "namespace"]?.stringValue ?? "default"
            let domains = EnvoyMesh.domains(name, namespace: namespace).filter { !claimed.contains($0) }
            guard !domains.isEmpty, case .backends(let backends) = await serviceRoute(name: name, namespace: namespace, port: nil) else { continue }
            let upstreams = backends.map { EnvoyMesh.Upstream(namespace: $0.namespace, serviceName: $0.serviceName, workload: $0.workload) }
            mesh.virtualHosts.append(
                .init(
                    name: "\(namespace)/\(name)", domains: domains,
                    routes: [.init(matches: [], destinations: [.init(weight: 100, upstreams: upstreams)])]))
        }
        return mesh
    }

    private func meshRoute(_ route: JSONValue, namespace: String) async -> (route: EnvoyMesh.Route, rates: [Double]) {
        let routing = await routing(ofRoute: route, namespace: namespace)
        func upstreams(_ backends: [Backend]) -> [EnvoyMesh.Upstream] {
            backends.map { .init(namespace: $0.namespace, serviceName: $0.serviceName, workload: $0.workload) }
        }
        let destinations = routing.destinations.map {
            EnvoyMesh.Destination(
                weight: $0.weight, upstreams: upstreams($0.backends),
                responseHeaders: $0.responseHeaders)
        }
        let mirror = routing.mirror.map { EnvoyMesh.Mirror(percent: $0.percent, upstreams: upstreams($0.backends)) }
        let rates = routing.destinations.flatMap(\.backends).compactMap(\.behaviour.requestsPerSecond)
        return (.init(matches: route["match"]?.arrayValue ?? [], destinations: destinations, mirror: mirror), rates)
    }
}
