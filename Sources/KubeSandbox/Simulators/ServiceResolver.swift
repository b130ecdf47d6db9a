import Foundation
import KubeCore

/// Resolves cluster host names the way the mesh and kube-proxy would: a VirtualService host splits by its
/// route weights, a Service with a selector goes to the ready workloads it selects, and a Service without a
/// selector goes to its Endpoints (a loopback address is reached for real).
struct ServiceResolver: Sendable {
    let store: ObjectStore

    /// A workload that can answer, with how it behaves.
    struct Backend: Sendable {
        var workload: String
        var namespace: String
        var serviceName: String
        var behaviour: WorkloadBehaviour
    }

    enum Route: Sendable {
        /// Weighted destinations (weights in percent) of a VirtualService.
        case weighted([(weight: Double, backends: [Backend])])
        /// The ready workloads behind a Service.
        case backends([Backend])
        /// A real server on loopback, from a selector-less Service's Endpoints.
        case forward(host: String, port: Int)
        case notFound(String)
    }

    /// Splits `svc`, `svc.ns`, `svc.ns.svc` and `svc.ns.svc.cluster.local` into a name and a namespace.
    static func parse(host: String, defaultNamespace: String) -> (name: String, namespace: String) {
        let parts = host.split(separator: ".").map(String.init)
        return (parts.first ?? host, parts.count > 1 ? parts[1] : defaultNamespace)
    }

    func resolve(host: String, port: Int?, defaultNamespace: String = "default") async -> Route {
        let (name, namespace) = ServiceResolver.parse(host: host, defaultNamespace: defaultNamespace)
        if let virtualService = await virtualService(for: name, namespace: namespace) {
            return .weighted(await destinations(of: virtualService, namespace: namespace))
        }
        return await serviceRoute(name: name, namespace: namespace, port: port)
    }

    func serviceRoute(name: String, namespace: String, port: Int?) async -> Route {
        guard let type = await type("services"), let service = try? await store.get(type, namespace: namespace, name: name) else {
            return .notFound("service \(namespace)/\(name) not found")
        }
        if let selector = service[path: "spec", "selector"]?.objectValue, !selector.isEmpty {
            return .backends(await readyWorkloads(selector: selector, namespace: namespace, serviceName: name))
        }
        if let endpoint = await loopbackEndpoint(name: name, namespace: namespace) { return .forward(host: endpoint.0, port: endpoint.1) }
        return .notFound("service \(namespace)/\(name) has no selector and no loopback endpoints")
    }

    private func virtualService(for name: String, namespace: String) async -> JSONValue? {
        guard let type = await type("virtualservices", group: "networking.istio.io"),
              let page = try? await store.list(type, namespace: namespace) else { return nil }
        let forms: Set<String> = [name, "\(name).\(namespace)", "\(name).\(namespace).svc", "\(name).\(namespace).svc.cluster.local"]
        return page.items.first { service in
            (service[path: "spec", "hosts"]?.arrayValue ?? []).contains { forms.contains($0.stringValue ?? "") }
        }
    }

    /// The weighted destinations of a VirtualService's first HTTP route (one without `match`, else the first).
    func destinations(of virtualService: JSONValue, namespace: String) async -> [(weight: Double, backends: [Backend])] {
        let routes = virtualService[path: "spec", "http"]?.arrayValue ?? []
        guard let route = routes.first(where: { $0["match"] == nil }) ?? routes.first else { return [] }
        let destinations = route["route"]?.arrayValue ?? []
        var result: [(Double, [Backend])] = []
        for destination in destinations {
            let host = destination[path: "destination", "host"]?.stringValue ?? ""
            let weight = destination["weight"]?.doubleValue ?? (destinations.count == 1 ? 100 : 0)
            let (name, serviceNamespace) = ServiceResolver.parse(host: host, defaultNamespace: namespace)
            guard case .backends(let backends) = await serviceRoute(name: name, namespace: serviceNamespace, port: nil) else {
                result.append((weight, []))
                continue
            }
            result.append((weight, backends))
        }
        return result
    }

    private func readyWorkloads(selector: JSONObject, namespace: String, serviceName: String) async -> [Backend] {
        guard let type = await type("deployments", group: "apps"), let page = try? await store.list(type, namespace: namespace) else { return [] }
        return page.items.compactMap { deployment in
            let labels = DynamicObject(json: ["metadata": deployment[path: "spec", "template", "metadata"] ?? [:]]).labels
            let selected = selector.allSatisfy { labels[$0.key] == $0.value.stringValue }
            guard selected, (deployment[path: "status", "readyReplicas"]?.intValue ?? 0) > 0 else { return nil }
            return Backend(workload: deployment[path: "metadata", "name"]?.stringValue ?? "", namespace: namespace,
                           serviceName: serviceName, behaviour: WorkloadBehaviour(workload: deployment))
        }
    }

    private func loopbackEndpoint(name: String, namespace: String) async -> (String, Int)? {
        if let type = await type("endpoints"), let endpoints = try? await store.get(type, namespace: namespace, name: name) {
            for subset in endpoints["subsets"]?.arrayValue ?? [] {
                let address = subset["addresses"]?[0]?["ip"]?.stringValue
                if let address, address.hasPrefix("127."), let port = subset["ports"]?[0]?["port"]?.intValue { return (address, port) }
            }
        }
        if let type = await type("endpointslices", group: "discovery.k8s.io"),
           let page = try? await store.list(type, namespace: namespace, labelSelector: try? LabelSelectorQuery("kubernetes.io/service-name=\(name)")) {
            for slice in page.items {
                let address = slice["endpoints"]?[0]?["addresses"]?[0]?.stringValue
                if let address, address.hasPrefix("127."), let port = slice["ports"]?[0]?["port"]?.intValue { return (address, port) }
            }
        }
        return nil
    }

    private func type(_ plural: String, group: String = "") async -> ResourceType? {
        await store.types.first { $0.resource.group == group && $0.resource.plural == plural }
    }
}
