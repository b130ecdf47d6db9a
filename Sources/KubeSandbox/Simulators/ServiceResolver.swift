import Foundation
import KubeAPIServer
import KubeCore

/// Resolves cluster host names the way the mesh and kube-proxy would: a VirtualService host splits by its
/// route weights, a Service with a selector goes to the ready workloads it selects, and a Service without a
/// selector goes to its Endpoints (a loopback address is reached for real).
struct ServiceResolver: Sendable {
    let store: ObjectStore
    /// The installed meshes, whose routing objects are consulted in this order.
    let meshes: [SimulatedMesh]

    /// A workload that can answer, with how it behaves.
    struct Backend: Sendable {
        var workload: String
        var namespace: String
        var serviceName: String
        var behaviour: WorkloadBehaviour
        /// A StatefulSet pod's revision (``TrafficMetrics/Destination/revision``).
        var revision: String?
    }

    /// Where a VirtualService sends one request: weighted destinations (weights in percent), and the
    /// workloads that get a copy of it (`mirror`, for `percent` of the requests), whose answers are dropped.
    struct Routing: Sendable {
        var destinations: [Destination]
        var mirror: (percent: Double, backends: [Backend])?

        static let none = Routing(destinations: [], mirror: nil)
    }

    /// One weighted destination of a route, with the headers the mesh adds to its answers
    /// (`headers.response.add` of the route and of the destination, as Envoy applies them: Flagger's
    /// session-affinity `Set-Cookie`).
    struct Destination: Sendable {
        var weight: Double
        var backends: [Backend]
        var responseHeaders: [String: String] = [:]
        /// The proxy in front of the workload that counts the request in its own series (ingress-nginx, Contour's Envoy).
        var via: ProxyHop?
    }

    enum Route: Sendable {
        /// A VirtualService's routing of the request.
        case weighted(Routing)
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

    func resolve(host: String, port: Int?, request: RequestAttributes = .synthetic, defaultNamespace: String = "default") async -> Route {
        let (name, namespace) = ServiceResolver.parse(host: host, defaultNamespace: defaultNamespace)
        let lookup = SimulatedMesh.Lookup(name: name, namespace: namespace, host: host, request: request)
        for mesh in meshes {
            if let routing = await mesh.routesServices?(self, lookup) { return .weighted(routing) }
        }
        let route = await serviceRoute(name: name, namespace: namespace, port: port)
        // Only a host no Service answers is looked up among the gateways' and ingresses' routes.
        guard case .notFound = route else { return route }
        for mesh in meshes {
            if let routing = await mesh.routesHosts?(self, lookup) { return .weighted(routing) }
        }
        return route
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

    func backends(of host: String, namespace: String) async -> [Backend] {
        let (name, serviceNamespace) = ServiceResolver.parse(host: host, defaultNamespace: namespace)
        guard case .backends(let backends) = await serviceRoute(name: name, namespace: serviceNamespace, port: nil) else { return [] }
        return backends
    }

    /// The workloads (each ``SimulatedWorkload`` kind) with ready pods whose template `selector` selects.
    func readyWorkloads(selector: JSONObject, namespace: String, serviceName: String) async -> [Backend] {
        var workloads: [JSONValue] = []
        for kind in SimulatedWorkload.all {
            guard let type = await type(kind.plural, group: kind.group), let page = try? await store.list(type, namespace: namespace) else {
                continue
            }
            workloads += page.items.filter { ($0[path: "status", kind.readyField]?.intValue ?? 0) > 0 }
        }
        var backends: [Backend] = []
        for deployment in workloads {
            let labels = DynamicObject(json: ["metadata": deployment[path: "spec", "template", "metadata"] ?? [:]]).labels
            guard selector.allSatisfy({ labels[$0.key] == $0.value.stringValue }) else { continue }
            let behaviour = WorkloadBehaviour(workload: deployment, configuration: await configuration(of: deployment, namespace: namespace))
            backends.append(
                Backend(
                    workload: deployment[path: "metadata", "name"]?.stringValue ?? "", namespace: namespace,
                    serviceName: serviceName, behaviour: behaviour))
        }
        return backends + (await readyStatefulSetPods(selector: selector, namespace: namespace, serviceName: serviceName))
    }

    /// The ready pods of StatefulSets that `selector` selects, one backend each (a set's pods may run two
    /// revisions, each answering as its own template and the configs it started with say).
    func readyStatefulSetPods(selector: JSONObject, namespace: String, serviceName: String) async -> [Backend] {
        // Most namespaces have no StatefulSet: their pods (Jobs') are not listed on every request.
        guard let sets = await type("statefulsets", group: "apps"), let found = try? await store.list(sets, namespace: namespace, limit: 1),
            !found.items.isEmpty, let type = await type("pods"), let page = try? await store.list(type, namespace: namespace)
        else { return [] }
        var backends: [Backend] = []
        for pod in page.items where StatefulSetSimulator.isReady(pod) {
            guard let set = StatefulSetSimulator.owner(of: pod) else { continue }
            let labels = DynamicObject(json: pod).labels
            guard selector.allSatisfy({ labels[$0.key] == $0.value.stringValue }) else { continue }
            let workload: JSONValue = [
                "metadata": ["name": .string(set)], "spec": ["template": ["metadata": pod["metadata"] ?? [:], "spec": pod["spec"] ?? [:]]],
            ]
            // A pod read its configs when it started (StatefulSetSimulator wrote them on it), as `envFrom` does.
            let behaviour = WorkloadBehaviour(workload: workload)
            backends.append(
                Backend(
                    workload: set, namespace: namespace, serviceName: serviceName, behaviour: behaviour,
                    revision: labels[StatefulSetSimulator.revisionLabel]))
        }
        return backends
    }

    /// How a workload answers now, from its pod template and its configs.
    func behaviour(workload name: String, namespace: String) async -> WorkloadBehaviour? {
        for kind in SimulatedWorkload.all {
            guard let type = await type(kind.plural, group: kind.group), let workload = try? await store.get(type, namespace: namespace, name: name)
            else {
                continue
            }
            return WorkloadBehaviour(workload: workload, configuration: await configuration(of: workload, namespace: namespace))
        }
        return nil
    }

    /// The `sandbox.serin.dev/` settings in the data of the configs a workload uses (Secrets decoded).
    func configuration(of workload: JSONValue, namespace: String) async -> [String: String] {
        var settings: [String: String] = [:]
        for (plural, name) in WorkloadBehaviour.configurationSources(of: workload[path: "spec", "template", "spec"] ?? [:]) {
            guard let type = await type(plural), let config = try? await store.get(type, namespace: namespace, name: name) else { continue }
            for (key, value) in config["data"]?.objectValue ?? [:] where key.hasPrefix("sandbox.serin.dev/") {
                guard let text = value.stringValue else { continue }
                settings[key] = plural == "secrets" ? Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) } ?? "" : text
            }
        }
        return settings
    }

    private func loopbackEndpoint(name: String, namespace: String) async -> (String, Int)? {
        if let type = await type("endpoints"), let endpoints = try? await store.get(type, namespace: namespace, name: name) {
            for subset in endpoints["subsets"]?.arrayValue ?? [] {
                let address = subset["addresses"]?[0]?["ip"]?.stringValue
                if let address, address.hasPrefix("127."), let port = subset["ports"]?[0]?["port"]?.intValue { return (address, port) }
            }
        }
        if let type = await type("endpointslices", group: "discovery.k8s.io"),
            let page = try? await store.list(type, namespace: namespace, labelSelector: try? LabelSelectorQuery("kubernetes.io/service-name=\(name)"))
        {
            for slice in page.items {
                let address = slice["endpoints"]?[0]?["addresses"]?[0]?.stringValue
                if let address, address.hasPrefix("127."), let port = slice["ports"]?[0]?["port"]?.intValue { return (address, port) }
            }
        }
        return nil
    }

    func type(_ plural: String, group: String = "") async -> ResourceType? {
        await store.types.first { $0.resource.group == group && $0.resource.plural == plural }
    }
}
