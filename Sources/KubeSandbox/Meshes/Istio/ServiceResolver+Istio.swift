import Foundation
import KubeAPIServer
import KubeCore

/// Istio's routing: a sidecar sends a request for a Service's name by the VirtualService whose hosts name it;
/// an ingress gateway by the VirtualServices bound to its Gateway; a host no Service answers by the
/// VirtualService that names it.
extension ServiceResolver {
    /// A sidecar's or an ingress gateway's route for a request to a Service (``SimulatedMesh/routesServices``).
    func istioServiceRouting(_ lookup: SimulatedMesh.Lookup) async -> Routing? {
        if let virtualService = await virtualService(for: lookup.name, namespace: lookup.namespace) {
            return await routing(of: virtualService, namespace: lookup.namespace, request: lookup.request)
        }
        if let (virtualService, owner) = await ingressVirtualService(service: lookup.name, namespace: lookup.namespace, host: lookup.requestHost) {
            return await routing(of: virtualService, namespace: owner, request: lookup.request)
        }
        return nil
    }

    /// The route of a host no Service answers, by the VirtualService in any namespace that names it.
    func istioHostRouting(_ lookup: SimulatedMesh.Lookup) async -> Routing? {
        guard let (virtualService, owner) = await virtualService(forExternalHost: lookup.host) else { return nil }
        return await routing(of: virtualService, namespace: owner, request: lookup.request)
    }

    /// Every VirtualService's routing of synthetic traffic.
    func istioSyntheticRoutings() async -> [Routing] {
        guard let type = await type("virtualservices", group: "networking.istio.io"), let page = try? await store.list(type, namespace: nil) else {
            return []
        }
        var routings: [Routing] = []
        for virtualService in page.items {
            let namespace = virtualService[path: "metadata", "namespace"]?.stringValue ?? "default"
            routings.append(await routing(of: virtualService, namespace: namespace, request: .synthetic))
        }
        return routings
    }

    /// A Service in front of an ingress gateway (its selector holds an Istio Gateway's selector) routes by
    /// the VirtualServices bound to that Gateway (`gateways: [ns/name]`) whose hosts hold the request's
    /// host or `*`, as the gateway's Envoy does.
    func ingressVirtualService(service name: String, namespace: String, host: String) async -> (JSONValue, String)? {
        guard let gatewayType = await type("gateways", group: "networking.istio.io"), let serviceType = await type("services"),
            let service = try? await store.get(serviceType, namespace: namespace, name: name),
            let selector = service[path: "spec", "selector"]?.objectValue, !selector.isEmpty,
            let gateways = try? await store.list(gatewayType, namespace: nil)
        else { return nil }
        let bound = gateways.items.filter { gateway in
            let wanted = gateway[path: "spec", "selector"]?.objectValue ?? [:]
            return !wanted.isEmpty && wanted.allSatisfy { selector[$0.key] == $0.value }
        }
        guard !bound.isEmpty, let type = await type("virtualservices", group: "networking.istio.io"),
            let page = try? await store.list(type, namespace: nil)
        else { return nil }
        let bareHost = String(host.split(separator: ":").first ?? "")
        for gateway in bound {
            let gatewayName = gateway[path: "metadata", "name"]?.stringValue ?? "",
                gatewayNamespace = gateway[path: "metadata", "namespace"]?.stringValue ?? "default"
            for virtualService in page.items {
                let owner = virtualService[path: "metadata", "namespace"]?.stringValue ?? "default"
                let names = (virtualService[path: "spec", "gateways"]?.arrayValue ?? []).compactMap(\.stringValue)
                guard names.contains("\(gatewayNamespace)/\(gatewayName)") || (owner == gatewayNamespace && names.contains(gatewayName)) else {
                    continue
                }
                let hosts = (virtualService[path: "spec", "hosts"]?.arrayValue ?? []).compactMap(\.stringValue)
                if hosts.contains("*") || hosts.contains(bareHost) { return (virtualService, owner) }
            }
        }
        return nil
    }

    /// A VirtualService in any namespace naming `host` exactly (a gateway's host such as `app.example.com`).
    func virtualService(forExternalHost host: String) async -> (JSONValue, String)? {
        guard host.contains("."), let type = await type("virtualservices", group: "networking.istio.io"),
            let page = try? await store.list(type, namespace: nil)
        else { return nil }
        guard let service = page.items.first(where: { ($0[path: "spec", "hosts"]?.arrayValue ?? []).contains(.string(host)) }) else { return nil }
        return (service, service[path: "metadata", "namespace"]?.stringValue ?? "default")
    }

    func virtualService(for name: String, namespace: String) async -> JSONValue? {
        guard let type = await type("virtualservices", group: "networking.istio.io"),
            let page = try? await store.list(type, namespace: namespace)
        else { return nil }
        let forms: Set<String> = [name, "\(name).\(namespace)", "\(name).\(namespace).svc", "\(name).\(namespace).svc.cluster.local"]
        return page.items.first { service in
            (service[path: "spec", "hosts"]?.arrayValue ?? []).contains { forms.contains($0.stringValue ?? "") }
        }
    }

    /// How a VirtualService routes `request`: its first HTTP route that matches (`RouteMatcher`), followed
    /// into a delegate VirtualService when the route delegates.
    func routing(of virtualService: JSONValue, namespace: String, request: RequestAttributes, depth: Int = 0) async -> Routing {
        let routes = virtualService[path: "spec", "http"]?.arrayValue ?? []
        guard let route = RouteMatcher.firstRoute(routes, for: request) else { return .none }
        if let delegate = route[path: "delegate", "name"]?.stringValue {
            let delegateNamespace = route[path: "delegate", "namespace"]?.stringValue ?? namespace
            guard depth < 4, let type = await type("virtualservices", group: "networking.istio.io"),
                let target = try? await store.get(type, namespace: delegateNamespace, name: delegate)
            else { return .none }
            return await routing(of: target, namespace: delegateNamespace, request: request, depth: depth + 1)
        }
        return await routing(ofRoute: route, namespace: namespace)
    }

    /// Where one HTTP route of a VirtualService sends its requests: its weighted destinations and its mirror.
    func routing(ofRoute route: JSONValue, namespace: String) async -> Routing {
        let destinations = route["route"]?.arrayValue ?? []
        var result: [Destination] = []
        let routeHeaders = ServiceResolver.addedResponseHeaders(route)
        for destination in destinations {
            let host = destination[path: "destination", "host"]?.stringValue ?? ""
            let weight = destination["weight"]?.doubleValue ?? (destinations.count == 1 ? 100 : 0)
            let headers = routeHeaders.merging(ServiceResolver.addedResponseHeaders(destination)) { _, own in own }
            result.append(Destination(weight: weight, backends: await backends(of: host, namespace: namespace), responseHeaders: headers))
        }
        var mirror: (Double, [Backend])?
        if let host = route[path: "mirror", "host"]?.stringValue {
            mirror = (route[path: "mirrorPercentage", "value"]?.doubleValue ?? 100, await backends(of: host, namespace: namespace))
        }
        return Routing(destinations: result, mirror: mirror)
    }

    /// `headers.response.add` of a route or destination.
    static func addedResponseHeaders(_ object: JSONValue) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in object[path: "headers", "response", "add"]?.objectValue ?? [:] { headers[name] = value.stringValue }
        return headers
    }
}
