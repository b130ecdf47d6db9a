import Foundation
import KubeAPIServer
import KubeCore

/// How a service mesh without VirtualServices splits a Service's requests: by an SMI TrafficSplit whose
/// `spec.service` is the Service (Linkerd's linkerd-smi), or by an HTTPRoute whose parent is the Service
/// (Gateway API's mesh mode, GAMMA, as Linkerd and Istio serve it).
extension ServiceResolver {
    /// Every TrafficSplit in `namespace` (every namespace for `nil`).
    func trafficSplits(namespace: String? = nil) async -> [JSONValue] {
        guard let type = await type("trafficsplits", group: "split.smi-spec.io"), let page = try? await store.list(type, namespace: namespace) else {
            return []
        }
        return page.items
    }

    /// How a TrafficSplit sends its Service's requests: each backend Service by its weight.
    func routing(ofTrafficSplit split: JSONValue) async -> Routing {
        let namespace = split[path: "metadata", "namespace"]?.stringValue ?? "default"
        var destinations: [Destination] = []
        for backend in split[path: "spec", "backends"]?.arrayValue ?? [] {
            let weight = backend["weight"]?.doubleValue ?? backend["weight"]?.stringValue.flatMap(Double.init) ?? 0
            let service = backend["service"]?.stringValue ?? ""
            destinations.append(Destination(weight: weight, backends: await backends(of: "\(service).\(namespace)", namespace: namespace)))
        }
        return Routing(destinations: destinations, mirror: nil)
    }

    /// The mesh's routing of requests for the Service `name` in `namespace`, when a TrafficSplit or an HTTPRoute
    /// attached to it says how.
    func meshSplit(service name: String, namespace: String, request: RequestAttributes) async -> Routing? {
        if let split = await trafficSplits(namespace: namespace).first(where: { $0[path: "spec", "service"]?.stringValue == name }) {
            return await routing(ofTrafficSplit: split)
        }
        let attached = await httpRoutes().first { route in
            route[path: "metadata", "namespace"]?.stringValue == namespace && ServiceResolver.isAttached(route, toService: name)
        }
        guard let attached else { return nil }
        return await routing(ofHTTPRoute: attached, request: request)
    }

    /// Whether an HTTPRoute has the Service `name` as a parent (`kind: Service`, group `""` or `core`).
    static func isAttached(_ route: JSONValue, toService name: String) -> Bool {
        (route[path: "spec", "parentRefs"]?.arrayValue ?? []).contains { parent in
            parent["kind"]?.stringValue == "Service" && ["", "core"].contains(parent["group"]?.stringValue ?? "")
                && parent["name"]?.stringValue == name
        }
    }
}
