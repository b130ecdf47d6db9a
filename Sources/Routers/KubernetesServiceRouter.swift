import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// The three ClusterIP Services of a Canary: the apex `<svc>` and `<svc>-primary` select the primary pods,
/// `<svc>-canary` the target's. Written through one ``OwnedObjectApplier``: created owned by the Canary,
/// a user's pre-existing Service adopted (its original recorded, its metadata kept), only owned fields
/// patched.
public struct KubernetesServiceRouter: Sendable {
    let applier: OwnedObjectApplier

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        applier = OwnedObjectApplier(client: client.resource(.services, as: JSONValue.self), cache: cache, markers: OwnedObjectApplier.fluxMarkers)
    }

    /// One Service's part: its name, the pods it selects, its metadata from `service.apex/primary/canary`,
    /// and the label naming it.
    public struct Role: Sendable {
        public var name: String
        public var selector: [String: String]
        public var metadata: CustomMetadata?
        public var label: (key: String, value: String)
        /// The ports: the Canary's, then (with `portDiscovery`) the target's other container ports.
        public var ports: JSONValue
    }

    /// The apex, primary and canary Services of a Canary whose target's pods carry `selector`.
    public static func roles(_ canary: Canary, selector: (key: String, value: String), target: JSONValue? = nil) -> [Role] {
        let name = canary.serviceName
        let service = canary.spec.service ?? CanaryService()
        let primaryPods = [selector.key: "\(selector.value)-primary"]
        let ports = KubernetesServiceRouter.ports(canary, target: target)
        return [
            Role(name: name, selector: primaryPods, metadata: service.apex, label: selector, ports: ports),
            Role(name: "\(name)-primary", selector: primaryPods, metadata: service.primary, label: (selector.key, "\(name)-primary"), ports: ports),
            Role(
                name: "\(name)-canary", selector: [selector.key: selector.value], metadata: service.canary, label: (selector.key, "\(name)-canary"),
                ports: ports),
        ]
    }

    /// Creates or corrects the three Services.
    public func reconcile(_ canary: Canary, selector: (key: String, value: String), target: JSONValue, owner: OwnerReference) async throws {
        for role in KubernetesServiceRouter.roles(canary, selector: selector, target: target) {
            try await applier.apply(namespace: canary.namespace, name: role.name, owner: owner) { live in
                KubernetesServiceRouter.desiredService(canary, role: role, live: live)
            }
        }
    }

    /// Gives back the Services Serin adopted (a user's own apex Service, typically), restored from their
    /// recorded originals: the selector points at the target's pods again. Those Serin created go with
    /// the Canary.
    public func finalize(_ canary: Canary) async throws {
        for name in [canary.serviceName, "\(canary.serviceName)-primary", "\(canary.serviceName)-canary"] {
            try await applier.restore(namespace: canary.namespace, name: name)
        }
    }

    /// The Services' ports: the Canary's port, then with `portDiscovery` every other container port of the
    /// target (mesh sidecars left out), named by the container port's name or `tcp-<container>-<index>`,
    /// as Flagger derives them, in port order.
    static func ports(_ canary: Canary, target: JSONValue?) -> JSONValue {
        var ports = mainPort(canary).arrayValue ?? []
        guard canary.spec.service?.portDiscovery == true, let target else { return .array(ports) }
        ports += discoveredPorts(canary, target: target).map {
            ["name": .string($0.name), "port": .int($0.port), "protocol": "TCP", "targetPort": .int($0.port)]
        }
        return .array(ports)
    }

    static func discoveredPorts(_ canary: Canary, target: JSONValue) -> [(name: String, port: Int)] {
        let service = canary.spec.service ?? CanaryService()
        var found: [String: Int] = [:]
        for container in target[path: "spec", "template", "spec", "containers"]?.arrayValue ?? [] {
            let containerName = container["name"]?.stringValue ?? ""
            if ["istio-proxy", "envoy"].contains(containerName) { continue }
            for (index, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
                guard let number = port["containerPort"]?.intValue else { continue }
                let name = port["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "tcp-\(containerName)-\(index)"
                switch service.targetPort {
                case .int(let target)?: if number == target { continue }
                case .string(let target)?: if name == target { continue }
                case nil: if number == service.port { continue }
                }
                found[name] = number
            }
        }
        return found.map { ($0.key, $0.value) }.sorted { ($0.port, $0.name) < ($1.port, $1.name) }
    }

    static func mainPort(_ canary: Canary) -> JSONValue {
        let service = canary.spec.service ?? CanaryService()
        let port = service.port ?? 80
        var entry: JSONValue = ["name": .string(service.portName ?? CanaryDefaults.portName), "port": .int(port), "protocol": "TCP"]
        switch service.targetPort {
        case .int(let number)?: entry["targetPort"] = .int(number)
        case .string(let name)?: entry["targetPort"] = .string(name)
        case nil: entry["targetPort"] = .int(port)
        }
        if let appProtocol = service.appProtocol { entry["appProtocol"] = .string(appProtocol) }
        return [entry]
    }

    /// The Service Serin wants for `role`, from the live one (`nil`: none yet). Pure.
    ///
    /// Serin owns the selector, `trafficDistribution`, the first port's `port` and `targetPort` (the ports are
    /// replaced only when those differ, so node ports and extra ports survive otherwise) and the labels and
    /// annotations of its role (`service.apex/primary/canary` and the label naming the Service), written over the
    /// live ones on every reconcile. Keys it does not write stay as they are, and so do the keys
    /// `service.unmanagedMetadata` lists, once the Service exists. `clusterIP: None` (headless) is set at
    /// creation only: it cannot change.
    public static func desiredService(_ canary: Canary, role: Role, live: JSONValue?) -> JSONValue {
        let service = canary.spec.service
        var labels = role.metadata?.labels ?? [:]
        labels[role.label.key] = role.label.value
        let ports = role.ports
        guard var object = live else {
            var spec: JSONValue = ["type": "ClusterIP", "ports": ports, "selector": stringMap(role.selector)]
            if service?.headless == true { spec["clusterIP"] = "None" }
            if let distribution = service?.trafficDistribution { spec["trafficDistribution"] = .string(distribution) }
            return [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["labels": stringMap(labels), "annotations": stringMap(role.metadata?.annotations ?? [:])], "spec": spec,
            ]
        }
        object[path: "spec", "selector"] = stringMap(role.selector)
        if let distribution = service?.trafficDistribution { object[path: "spec", "trafficDistribution"] = .string(distribution) }
        if service?.portDiscovery == true {
            object[path: "spec", "ports"] = withNodePorts(ports, from: object[path: "spec", "ports"])
        } else {
            let first = object[path: "spec", "ports"]?[0]
            if first?["port"] != ports[0]?["port"] || first?["targetPort"] != ports[0]?["targetPort"] { object[path: "spec", "ports"] = ports }
        }
        let unmanaged = service?.unmanagedMetadata
        merge(labels, into: &object, field: "labels", except: Set(unmanaged?.labels ?? []))
        merge(role.metadata?.annotations ?? [:], into: &object, field: "annotations", except: Set(unmanaged?.annotations ?? []))
        return object
    }

    /// Writes `values` over the object's `metadata.<field>`, but for the keys in `except`.
    static func merge(_ values: [String: String], into object: inout JSONValue, field: String, except: Set<String>) {
        guard values.keys.contains(where: { !except.contains($0) }) else { return }
        var current = object[path: "metadata", field]?.objectValue ?? [:]
        for (key, value) in values.sorted(by: { $0.key < $1.key }) where !except.contains(key) { current[key] = .string(value) }
        object[path: "metadata", field] = .object(current)
    }

    /// `ports`, each carrying the node port the live port of the same name has (Serin owns every port
    /// under `portDiscovery`, the node ports stay the cluster's).
    static func withNodePorts(_ ports: JSONValue, from live: JSONValue?) -> JSONValue {
        let nodePorts = Dictionary(
            (live?.arrayValue ?? []).compactMap { port in
                port["name"]?.stringValue.flatMap { name in port["nodePort"].map { (name, $0) } }
            }, uniquingKeysWith: { first, _ in first })
        return .array(
            (ports.arrayValue ?? []).map { port in
                var port = port
                if let name = port["name"]?.stringValue, let nodePort = nodePorts[name] { port["nodePort"] = nodePort }
                return port
            })
    }

    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(JSONObject(uniqueKeysWithValues: map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }
}
