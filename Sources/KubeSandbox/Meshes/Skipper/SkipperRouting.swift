import Foundation
import KubeCore

/// Skipper's view of the Ingresses of its class: each path of a rule is a route named
/// `kube_<namespace>__<ingress>__<host>__<path>__<service>` (every non-word character an `_`). Of the routes
/// for a request, those whose `zalando.org/skipper-predicate` has `False()` never match, and the one with the
/// highest `Weight(n)` wins; its Ingress's paths for the same host and path are its backends, split by
/// `zalando.org/backend-weights` (only the backends named with a weight, equally when none is named).
enum SkipperRouting {
    static let className = "skipper"

    /// Whether Skipper serves `ingress` (`ingressClassName` or the `kubernetes.io/ingress.class` annotation).
    static func serves(_ ingress: JSONValue) -> Bool {
        ingress[path: "spec", "ingressClassName"]?.stringValue == className
            || ingress[path: "metadata", "annotations", "kubernetes.io/ingress.class"]?.stringValue == className
    }

    /// A route's rank: `nil` when a `False()` predicate disables it, else its `Weight(n)` (0 without one).
    static func rank(_ ingress: JSONValue) -> Int? {
        let predicates = (ingress[path: "metadata", "annotations", "zalando.org/skipper-predicate"]?.stringValue ?? "")
            .components(separatedBy: "&&").map { $0.trimmingCharacters(in: .whitespaces) }
        if predicates.contains("False()") { return nil }
        return predicates.compactMap { predicate -> Int? in
            guard predicate.hasPrefix("Weight("), predicate.hasSuffix(")") else { return nil }
            return Int(predicate.dropFirst("Weight(".count).dropLast())
        }.max() ?? 0
    }

    /// The paths of `ingress` that a request for `host` and `path` takes (`nil` path: the first rule's first path).
    static func paths(of ingress: JSONValue, host: String, path: String?) -> (host: String, path: String, services: [String])? {
        for rule in ingress[path: "spec", "rules"]?.arrayValue ?? [] {
            let ruleHost = rule["host"]?.stringValue ?? ""
            guard ruleHost.isEmpty || ruleHost == host else { continue }
            let items = rule[path: "http", "paths"]?.arrayValue ?? []
            let matched = items.first { item in
                let value = item["path"]?.stringValue ?? "/"
                return path.map { $0 == value || $0.hasPrefix(value.hasSuffix("/") ? value : value + "/") || value == "/" } ?? true
            }
            guard let matched else { continue }
            let value = matched["path"]?.stringValue ?? "/"
            let services = items.filter { ($0["path"]?.stringValue ?? "/") == value }.compactMap {
                $0[path: "backend", "service", "name"]?.stringValue
            }
            return (ruleHost, value, services)
        }
        return nil
    }

    /// The backends' shares in percent by `zalando.org/backend-weights`.
    static func shares(_ services: [String], ingress: JSONValue) -> [(service: String, share: Double)] {
        let text = ingress[path: "metadata", "annotations", "zalando.org/backend-weights"]?.stringValue ?? ""
        let weights: JSONObject
        do { weights = try JSONValue(parsing: Array(text.utf8)).objectValue ?? [:] } catch { weights = [:] }  // unreadable: split equally
        let named = services.filter { weights[$0]?.doubleValue != nil }
        guard !named.isEmpty else { return services.map { ($0, 100 / Double(services.count)) } }
        let total = named.reduce(0) { $0 + (weights[$1]?.doubleValue ?? 0) }
        return services.map { service in (service, total > 0 ? 100 * (weights[service]?.doubleValue ?? 0) / total : 0) }
    }

    /// Skipper's name of a route, as its metrics label it.
    static func routeID(namespace: String, ingress: String, host: String, path: String, service: String) -> String {
        let sanitized = [namespace, ingress, host, path, service].map { part in
            String(
                part.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") ? Character($0) : "_" })
        }
        return "kube_" + sanitized.joined(separator: "__")
    }
}

extension ServiceResolver {
    /// The hosts of the Ingresses Skipper serves that are not a weighted copy (synthetic traffic's entry points).
    func skipperHosts() async -> [String] {
        await ingresses().filter { SkipperRouting.serves($0) && $0[path: "metadata", "annotations", "zalando.org/backend-weights"] == nil }
            .compactMap { $0[path: "spec", "rules"]?[0]?["host"]?.stringValue }
    }

    /// Where Skipper sends a request for `host` (`nil` path: synthetic traffic), when one of its routes takes it.
    func skipperRouting(host: String, path: String?) async -> Routing? {
        let bare = String(host.split(separator: ":").first ?? "")
        let candidates = await ingresses().filter(SkipperRouting.serves).compactMap {
            ingress -> (JSONValue, Int, (host: String, path: String, services: [String]))? in
            guard let rank = SkipperRouting.rank(ingress), let paths = SkipperRouting.paths(of: ingress, host: bare, path: path) else { return nil }
            return (ingress, rank, paths)
        }
        guard let (ingress, _, route) = candidates.max(by: { $0.1 < $1.1 }) else { return nil }
        let namespace = ingress[path: "metadata", "namespace"]?.stringValue ?? "default"
        let name = ingress[path: "metadata", "name"]?.stringValue ?? ""
        var destinations: [Destination] = []
        for (service, share) in SkipperRouting.shares(route.services, ingress: ingress) {
            let id = SkipperRouting.routeID(namespace: namespace, ingress: name, host: route.host, path: route.path, service: service)
            destinations.append(
                Destination(weight: share, backends: await backends(of: "\(service).\(namespace)", namespace: namespace), via: .skipperRoute(id)))
        }
        return Routing(destinations: destinations, mirror: nil)
    }
}
