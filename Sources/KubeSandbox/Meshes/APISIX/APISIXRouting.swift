import Foundation
import KubeAPIServer
import KubeCore

/// APISIX's routing of a request: among every ApisixRoute's HTTP routes whose `match` holds (`hosts`, and
/// `paths` as exact paths or `/prefix*`), the one with the highest `priority`, split by its backends'
/// weights (100 each by default). Each request is counted on the route as the ingress controller names it,
/// `<namespace>_<apisixroute>_<http route>`.
enum APISIXRouting {
    static func holds(_ http: JSONValue, host: String?, path: String?) -> Bool {
        let hosts = (http[path: "match", "hosts"]?.arrayValue ?? []).compactMap(\.stringValue)
        if let host, !hosts.isEmpty, !hosts.contains(host) { return false }
        guard let path else { return true }
        let paths = (http[path: "match", "paths"]?.arrayValue ?? []).compactMap(\.stringValue)
        return paths.isEmpty || paths.contains { $0.hasSuffix("*") ? path.hasPrefix(String($0.dropLast())) : path == $0 }
    }
}

extension ServiceResolver {
    /// Every HTTP route of every ApisixRoute, with the name its metrics carry.
    func apisixHTTPRoutes() async -> [(route: String, namespace: String, http: JSONValue)] {
        guard let type = await type("apisixroutes", group: "apisix.apache.org"), let page = try? await store.list(type, namespace: nil) else {
            return []
        }
        return page.items.flatMap { item in
            let namespace = item[path: "metadata", "namespace"]?.stringValue ?? "default", name = item[path: "metadata", "name"]?.stringValue ?? ""
            return (item[path: "spec", "http"]?.arrayValue ?? []).map { http in
                ("\(namespace)_\(name)_\(http["name"]?.stringValue ?? "")", namespace, http)
            }
        }
    }

    /// How APISIX sends a request for `host` (`nil`: synthetic traffic for the first host of `like`'s route).
    func apisixRouting(host: String?, request: RequestAttributes) async -> Routing? {
        let bare = host.map { String($0.split(separator: ":").first ?? "") }
        let candidates = await apisixHTTPRoutes().filter { APISIXRouting.holds($0.http, host: bare, path: request.path) }
        guard let chosen = candidates.max(by: { ($0.http["priority"]?.intValue ?? 0) < ($1.http["priority"]?.intValue ?? 0) }) else { return nil }
        var destinations: [Destination] = []
        for backend in chosen.http["backends"]?.arrayValue ?? [] {
            let name = backend["serviceName"]?.stringValue ?? ""
            destinations.append(
                Destination(
                    weight: backend["weight"]?.doubleValue ?? 100,
                    backends: await backends(of: "\(name).\(chosen.namespace)", namespace: chosen.namespace),
                    via: .apisixRoute(chosen.route)))
        }
        return Routing(destinations: destinations, mirror: nil)
    }

    /// The hosts APISIX routes, for synthetic traffic: one routing per host, as a client of that host gets.
    func apisixHosts() async -> [String] {
        Array(Set(await apisixHTTPRoutes().compactMap { $0.http[path: "match", "hosts"]?[0]?.stringValue })).sorted()
    }
}
