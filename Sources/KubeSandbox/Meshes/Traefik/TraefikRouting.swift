import Foundation
import KubeAPIServer
import KubeCore

/// Traefik's routing of a request: the IngressRoute route whose `match` holds ``Host(`…`)`` for the request's
/// host (and ``PathPrefix(`…`)`` when it has one), to its first service: a Kubernetes Service, or a
/// TraefikService's weighted round robin. Each request is counted on the Service as Traefik names it,
/// `<namespace>-<name>-<port>@kubernetescrd`.
enum TraefikRouting {
    /// Whether a route's `match` expression holds for `host` and `path` (the `Host` and `PathPrefix` rules).
    static func holds(_ match: String, host: String, path: String?) -> Bool {
        func arguments(_ rule: String) -> [String] {
            match.components(separatedBy: "\(rule)(").dropFirst().compactMap { $0.split(separator: ")").first }
                .flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "` \"")) }
        }
        let hosts = arguments("Host")
        guard hosts.isEmpty || hosts.contains(host) else { return false }
        let prefixes = arguments("PathPrefix")
        guard let path, !prefixes.isEmpty else { return !hosts.isEmpty }
        return prefixes.contains { path.hasPrefix($0) }
    }

    static func serviceName(namespace: String, name: String, port: Int) -> String { "\(namespace)-\(name)-\(port)@kubernetescrd" }
}

extension ServiceResolver {
    func traefik(_ plural: String) async -> [JSONValue] {
        guard let type = await type(plural, group: "traefik.io"), let page = try? await store.list(type, namespace: nil) else { return [] }
        return page.items
    }

    /// How a TraefikService's weighted round robin sends its requests.
    func routing(ofTraefikService service: JSONValue) async -> Routing {
        let namespace = service[path: "metadata", "namespace"]?.stringValue ?? "default"
        var destinations: [Destination] = []
        for entry in service[path: "spec", "weighted", "services"]?.arrayValue ?? [] {
            let name = entry["name"]?.stringValue ?? "", entryNamespace = entry["namespace"]?.stringValue ?? namespace
            let port = entry["port"]?.intValue ?? 80
            destinations.append(
                Destination(
                    weight: entry["weight"]?.doubleValue ?? 1,
                    backends: await backends(of: "\(name).\(entryNamespace)", namespace: entryNamespace),
                    via: .traefikService(TraefikRouting.serviceName(namespace: entryNamespace, name: name, port: port))))
        }
        return Routing(destinations: destinations, mirror: nil)
    }

    /// How Traefik sends a request for `host`: by the IngressRoute whose route matches it, else `nil`.
    func traefikRouting(host: String, request: RequestAttributes) async -> Routing? {
        let bare = String(host.split(separator: ":").first ?? "")
        let services = await traefik("traefikservices")
        for ingressRoute in await traefik("ingressroutes") {
            let namespace = ingressRoute[path: "metadata", "namespace"]?.stringValue ?? "default"
            for route in ingressRoute[path: "spec", "routes"]?.arrayValue ?? [] {
                guard TraefikRouting.holds(route["match"]?.stringValue ?? "", host: bare, path: request.path),
                    let target = route["services"]?[0], let name = target["name"]?.stringValue
                else { continue }
                let targetNamespace = target["namespace"]?.stringValue ?? namespace
                if target["kind"]?.stringValue == "TraefikService" {
                    guard
                        let service = services.first(where: {
                            $0[path: "metadata", "name"]?.stringValue == name && $0[path: "metadata", "namespace"]?.stringValue == targetNamespace
                        })
                    else { return .none }
                    return await routing(ofTraefikService: service)
                }
                let port = target["port"]?.intValue ?? 80
                return Routing(
                    destinations: [
                        Destination(
                            weight: 100, backends: await backends(of: "\(name).\(targetNamespace)", namespace: targetNamespace),
                            via: .traefikService(TraefikRouting.serviceName(namespace: targetNamespace, name: name, port: port)))
                    ],
                    mirror: nil)
            }
        }
        return nil
    }
}
