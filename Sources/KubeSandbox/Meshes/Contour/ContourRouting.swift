import Foundation
import KubeAPIServer
import KubeCore

/// Contour's routing of a request through HTTPProxies: the root proxy whose `virtualhost.fqdn` is the
/// request's host, its own routes, then the proxies it `includes` (by their prefix condition); in a proxy,
/// the first route whose conditions all hold (`prefix`; `header` with `exact`, `contains`, `present`,
/// `notexact`, `notcontains`, `notpresent`), split by its Services' weights. Each request is counted on the
/// Envoy cluster `<namespace>_<service>_<port>`, as Contour names them.
enum ContourRouting {
    static func holds(_ condition: JSONValue, for request: RequestAttributes) -> Bool {
        if let prefix = condition["prefix"]?.stringValue, let path = request.path, !path.hasPrefix(prefix) { return false }
        guard let header = condition["header"] else { return true }
        let value = request.headers[(header["name"]?.stringValue ?? "").lowercased()]
        if let exact = header["exact"]?.stringValue { return value == exact }
        if let contains = header["contains"]?.stringValue { return value?.contains(contains) == true }
        if let other = header["notexact"]?.stringValue { return value != other }
        if let other = header["notcontains"]?.stringValue { return value?.contains(other) != true }
        if header["present"]?.boolValue == true { return value != nil }
        if header["notpresent"]?.boolValue == true { return value == nil }
        return true
    }

    static func firstRoute(_ proxy: JSONValue, for request: RequestAttributes) -> JSONValue? {
        (proxy[path: "spec", "routes"]?.arrayValue ?? []).first { route in
            (route["conditions"]?.arrayValue ?? []).allSatisfy { holds($0, for: request) }
        }
    }
}

extension ServiceResolver {
    /// Every HTTPProxy in every namespace.
    func httpProxies() async -> [JSONValue] {
        guard let type = await type("httpproxies", group: "projectcontour.io"), let page = try? await store.list(type, namespace: nil) else {
            return []
        }
        return page.items
    }

    /// How Contour sends a request for `host`: by the root proxy for it, else `nil`.
    func contourRouting(host: String, request: RequestAttributes) async -> Routing? {
        let bare = String(host.split(separator: ":").first ?? "")
        let proxies = await httpProxies()
        guard let root = proxies.first(where: { $0[path: "spec", "virtualhost", "fqdn"]?.stringValue == bare }) else { return nil }
        if let routing = await routing(ofHTTPProxy: root, request: request) { return routing }
        let rootNamespace = root[path: "metadata", "namespace"]?.stringValue ?? "default"
        for include in root[path: "spec", "includes"]?.arrayValue ?? [] {
            guard (include["conditions"]?.arrayValue ?? []).allSatisfy({ ContourRouting.holds($0, for: request) }) else { continue }
            let namespace = include["namespace"]?.stringValue ?? rootNamespace
            guard
                let included = proxies.first(where: {
                    $0[path: "metadata", "name"] == include["name"] && $0[path: "metadata", "namespace"]?.stringValue == namespace
                }), let routing = await routing(ofHTTPProxy: included, request: request)
            else { continue }
            return routing
        }
        return nil
    }

    /// The first matching route of `proxy` as weighted destinations (`nil` when none matches).
    func routing(ofHTTPProxy proxy: JSONValue, request: RequestAttributes) async -> Routing? {
        guard let route = ContourRouting.firstRoute(proxy, for: request) else { return nil }
        let namespace = proxy[path: "metadata", "namespace"]?.stringValue ?? "default"
        let services = route["services"]?.arrayValue ?? []
        let total = services.reduce(0.0) { $0 + ($1["weight"]?.doubleValue ?? 0) }
        var destinations: [Destination] = []
        for service in services {
            let name = service["name"]?.stringValue ?? "", port = service["port"]?.intValue ?? 80
            // Contour splits equally when no weight is set.
            let weight = total > 0 ? (service["weight"]?.doubleValue ?? 0) * 100 / total : 100 / Double(services.count)
            destinations.append(
                Destination(
                    weight: weight, backends: await backends(of: "\(name).\(namespace)", namespace: namespace),
                    via: .envoyCluster("\(namespace)_\(name)_\(port)")))
        }
        return Routing(destinations: destinations, mirror: nil)
    }
}
