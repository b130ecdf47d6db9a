import Foundation
import KubeAPIServer
import KubeCore

/// How Kuma's sidecars route a Service's requests by a TrafficRoute: the one whose destination's
/// `kuma.io/service` tag is the Service's (`<name>_<namespace>_svc_<port>`) splits them between the Services
/// its `conf.split` tags name, by weight. Each request is counted by the receiving dataplane's Envoy, labelled
/// with that dataplane's `service` tag (what Flagger's Kuma queries select).
enum KumaRouting {
    /// The Service name, namespace and port of a `kuma.io/service` tag; `nil` for another shape (`*`).
    static func service(ofTag tag: String) -> (name: String, namespace: String, port: Int)? {
        let parts = tag.split(separator: "_").map(String.init)
        guard parts.count == 4, parts[2] == "svc", let port = Int(parts[3]) else { return nil }
        return (parts[0], parts[1], port)
    }
}

extension ServiceResolver {
    /// Every TrafficRoute (they are cluster-scoped).
    func trafficRoutes() async -> [JSONValue] {
        guard let type = await type("trafficroutes", group: "kuma.io"), let page = try? await store.list(type, namespace: nil) else { return [] }
        return page.items
    }

    /// How a TrafficRoute's split sends its requests: each tagged Service by its weight, through its dataplane.
    func routing(ofTrafficRoute route: JSONValue) async -> Routing {
        var destinations: [Destination] = []
        for entry in route[path: "spec", "conf", "split"]?.arrayValue ?? [] {
            let tag = entry[path: "destination", "kuma.io/service"]?.stringValue ?? ""
            guard let service = KumaRouting.service(ofTag: tag) else { continue }
            destinations.append(
                Destination(
                    weight: entry["weight"]?.doubleValue ?? 0,
                    backends: await backends(of: "\(service.name).\(service.namespace)", namespace: service.namespace),
                    via: .kumaDataplane(tag: tag, port: service.port)))
        }
        return Routing(destinations: destinations, mirror: nil)
    }

    /// Every MeshHTTPRoute.
    func meshHTTPRoutes() async -> [JSONValue] {
        guard let type = await type("meshhttproutes", group: "kuma.io"), let page = try? await store.list(type, namespace: nil) else { return [] }
        return page.items
    }

    /// How a MeshHTTPRoute's first rule for a MeshService sends its requests: each backend MeshService (the
    /// Service its `kuma.io/display-name` and `k8s.kuma.io/namespace` labels name) by its weight, through its
    /// dataplane.
    func routing(ofMeshHTTPRoute route: JSONValue) async -> Routing {
        let namespace = route[path: "metadata", "namespace"]?.stringValue ?? ""
        var destinations: [Destination] = []
        let backends = route[path: "spec", "to"]?[0]?["rules"]?[0]?[path: "default", "backendRefs"]?.arrayValue ?? []
        for backend in backends where backend["kind"]?.stringValue == "MeshService" {
            guard let name = backend[path: "labels", "kuma.io/display-name"]?.stringValue, let port = backend["port"]?.intValue else { continue }
            let serviceNamespace = backend[path: "labels", "k8s.kuma.io/namespace"]?.stringValue ?? namespace
            destinations.append(
                Destination(
                    weight: backend["weight"]?.doubleValue ?? 1,
                    backends: await self.backends(of: "\(name).\(serviceNamespace)", namespace: serviceNamespace),
                    via: .kumaDataplane(tag: "\(name)_\(serviceNamespace)_svc_\(port)", port: port)))
        }
        return Routing(destinations: destinations, mirror: nil)
    }

    /// The routing of requests for the Service `name` in `namespace`, when a TrafficRoute's destination is its
    /// tag or a MeshHTTPRoute's `to` is its MeshService.
    func kumaSplit(service name: String, namespace: String) async -> Routing? {
        let meshRoute = await meshHTTPRoutes().first { route in
            (route[path: "spec", "to"]?.arrayValue ?? []).contains { to in
                to[path: "targetRef", "kind"] == "MeshService" && to[path: "targetRef", "labels", "kuma.io/display-name"]?.stringValue == name
                    && (to[path: "targetRef", "labels", "k8s.kuma.io/namespace"]?.stringValue ?? route[path: "metadata", "namespace"]?.stringValue)
                        == namespace
            }
        }
        if let meshRoute { return await routing(ofMeshHTTPRoute: meshRoute) }
        let route = await trafficRoutes().first { route in
            (route[path: "spec", "destinations"]?.arrayValue ?? []).contains { destination in
                let tag = destination[path: "match", "kuma.io/service"]?.stringValue ?? ""
                return KumaRouting.service(ofTag: tag).map { $0.name == name && $0.namespace == namespace } ?? false
            }
        }
        guard let route else { return nil }
        return await routing(ofTrafficRoute: route)
    }
}
