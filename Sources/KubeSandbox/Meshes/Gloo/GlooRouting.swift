import Foundation
import KubeAPIServer
import KubeCore

/// Gloo Edge's routing of a request: the Gloo VirtualService whose `virtualHost.domains` hold the request's
/// host, its first route whose matchers hold (`prefix`, `headers` exact or regex, `methods`), delegated
/// (`delegateAction.ref`) to a RouteTable and its first matching route, whose `routeAction.multi`
/// destinations split by weight; each destination's Upstream names a Service (`kube.serviceName`). Requests
/// are counted on the Envoy cluster `<upstream>_<upstream namespace>`, as Gloo names it.
enum GlooRouting {
    static func holds(_ matcher: JSONValue, for request: RequestAttributes) -> Bool {
        if let prefix = matcher["prefix"]?.stringValue, let path = request.path, !path.hasPrefix(prefix) { return false }
        for header in matcher["headers"]?.arrayValue ?? [] {
            guard let value = request.headers[(header["name"]?.stringValue ?? "").lowercased()] else { return false }
            let expected = header["value"]?.stringValue ?? ""
            let matches =
                header["regex"]?.boolValue == true ? value.range(of: "^(?:\(expected))$", options: .regularExpression) != nil : value == expected
            if !matches { return false }
        }
        if let methods = matcher["methods"]?.arrayValue, !methods.isEmpty, let method = request.method, !methods.contains(.string(method)) {
            return false
        }
        return true
    }

    /// The first route whose matchers (any of them; none: everything) hold.
    static func firstRoute(_ routes: [JSONValue], for request: RequestAttributes) -> JSONValue? {
        routes.first { route in
            guard let matchers = route["matchers"]?.arrayValue, !matchers.isEmpty else { return true }
            return matchers.contains { holds($0, for: request) }
        }
    }
}

extension ServiceResolver {
    func gloo(_ plural: String, group: String) async -> [JSONValue] {
        guard let type = await type(plural, group: group), let page = try? await store.list(type, namespace: nil) else { return [] }
        return page.items
    }

    /// How a RouteTable sends `request`: its first matching route's destinations by weight.
    func routing(ofRouteTable table: JSONValue, request: RequestAttributes, upstreams: [JSONValue]) async -> Routing? {
        guard let route = GlooRouting.firstRoute(table[path: "spec", "routes"]?.arrayValue ?? [], for: request) else { return nil }
        let namespace = table[path: "metadata", "namespace"]?.stringValue ?? "default"
        var destinations: [Destination] = []
        for entry in route[path: "routeAction", "multi", "destinations"]?.arrayValue ?? [] {
            let name = entry[path: "destination", "upstream", "name"]?.stringValue ?? ""
            let upstreamNamespace = entry[path: "destination", "upstream", "namespace"]?.stringValue ?? namespace
            guard
                let upstream = upstreams.first(where: {
                    $0[path: "metadata", "name"]?.stringValue == name && $0[path: "metadata", "namespace"]?.stringValue == upstreamNamespace
                })
            else { continue }
            let service = upstream[path: "spec", "kube", "serviceName"]?.stringValue ?? ""
            let serviceNamespace = upstream[path: "spec", "kube", "serviceNamespace"]?.stringValue ?? upstreamNamespace
            destinations.append(
                Destination(
                    weight: entry["weight"]?.doubleValue ?? 0,
                    backends: await backends(of: "\(service).\(serviceNamespace)", namespace: serviceNamespace),
                    via: .envoyCluster("\(name)_\(upstreamNamespace)")))
        }
        return Routing(destinations: destinations, mirror: nil)
    }

    /// How Gloo sends a request for `host`: by the Gloo VirtualService for it, else `nil`.
    func glooRouting(host: String, request: RequestAttributes) async -> Routing? {
        let bare = String(host.split(separator: ":").first ?? "")
        let services = await gloo("virtualservices", group: "gateway.solo.io")
        guard
            let service = services.first(where: {
                ($0[path: "spec", "virtualHost", "domains"]?.arrayValue ?? []).contains { [bare, "*"].contains($0.stringValue ?? "") }
            }),
            let route = GlooRouting.firstRoute(service[path: "spec", "virtualHost", "routes"]?.arrayValue ?? [], for: request),
            let reference = route[path: "delegateAction", "ref"] ?? route["delegateAction"], let name = reference["name"]?.stringValue
        else { return nil }
        let namespace = reference["namespace"]?.stringValue ?? service[path: "metadata", "namespace"]?.stringValue ?? "default"
        guard
            let table = await gloo("routetables", group: "gateway.solo.io").first(where: {
                $0[path: "metadata", "name"]?.stringValue == name && $0[path: "metadata", "namespace"]?.stringValue == namespace
            })
        else { return .none }
        return await routing(ofRouteTable: table, request: request, upstreams: await gloo("upstreams", group: "gloo.solo.io"))
    }
}
