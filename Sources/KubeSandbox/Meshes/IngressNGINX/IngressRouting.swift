import Foundation
import KubeAPIServer
import KubeCore

/// ingress-nginx's routing of a request through an Ingress and its canary Ingress (`canary: "true"` on the
/// same host and path), in the controller's order: `canary-by-header` (`always`/`never`, or
/// `canary-by-header-value`, or `canary-by-header-pattern`), then `canary-by-cookie` (`always`/`never`), then
/// `canary-weight` percent. Synthetic requests (no headers) split by weight.
enum IngressRouting {
    static let prefix = "nginx.ingress.kubernetes.io"

    /// Where a request is counted: ingress-nginx's `ingress` label (the main Ingress, canary requests
    /// included), the Service, and `canary` (the canary upstream, `<namespace>-<service>-<port>`, or empty).
    struct Hop: Hashable, Sendable {
        var ingress: String
        var namespace: String
        var service: String
        var canary: String
    }

    /// Whether ingress-nginx serves `ingress`: no class, or the class `nginx` (by `ingressClassName` or the
    /// `kubernetes.io/ingress.class` annotation); another controller's Ingress is not its to route.
    static func serves(_ ingress: JSONValue) -> Bool {
        let name =
            ingress[path: "spec", "ingressClassName"]?.stringValue
            ?? ingress[path: "metadata", "annotations", "kubernetes.io/ingress.class"]?.stringValue
        return name == nil || name == "nginx"
    }

    static func isCanary(_ ingress: JSONValue) -> Bool {
        ingress[path: "metadata", "annotations", "\(prefix)/canary"]?.stringValue == "true"
    }

    /// The backend Service (name, port) of `ingress` for `host` and `path` (`nil` for synthetic traffic: the
    /// first path), with the rule's host: a rule without a host takes every host.
    static func backend(of ingress: JSONValue, host: String?, path: String?) -> (service: String, port: String, host: String)? {
        for rule in ingress[path: "spec", "rules"]?.arrayValue ?? [] {
            let ruleHost = rule["host"]?.stringValue ?? ""
            if let host, !ruleHost.isEmpty, ruleHost != host { continue }
            for item in rule[path: "http", "paths"]?.arrayValue ?? [] {
                let value = item["path"]?.stringValue ?? "/"
                if let path {
                    let exact = item["pathType"]?.stringValue == "Exact"
                    let prefix = value.hasSuffix("/") ? value : value + "/"
                    guard exact ? path == value : (path == value || path.hasPrefix(prefix) || value == "/") else { continue }
                }
                guard let service = item[path: "backend", "service", "name"]?.stringValue else { continue }
                let port =
                    item[path: "backend", "service", "port", "number"]?.intValue.map(String.init)
                    ?? item[path: "backend", "service", "port", "name"]?.stringValue ?? ""
                return (service, port, ruleHost)
            }
        }
        guard let service = ingress[path: "spec", "defaultBackend", "service", "name"]?.stringValue else { return nil }
        return (service, ingress[path: "spec", "defaultBackend", "service", "port", "number"]?.intValue.map(String.init) ?? "", "")
    }

    /// Whether a proxied request is sent to the canary by its header or cookie; `nil` when neither decides.
    static func decision(_ annotations: JSONObject, request: RequestAttributes) -> Bool? {
        if let header = annotations["\(prefix)/canary-by-header"]?.stringValue, let value = request.headers[header.lowercased()] {
            if let wanted = annotations["\(prefix)/canary-by-header-value"]?.stringValue {
                if value == wanted { return true }
            } else if let pattern = annotations["\(prefix)/canary-by-header-pattern"]?.stringValue {
                if value.range(of: pattern, options: .regularExpression) != nil { return true }
            } else if value == "always" {
                return true
            } else if value == "never" {
                return false
            }
        }
        if let name = annotations["\(prefix)/canary-by-cookie"]?.stringValue, let cookies = request.headers["cookie"] {
            for pair in cookies.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0] == name else { continue }
                if parts[1] == "always" { return true }
                if parts[1] == "never" { return false }
            }
        }
        return nil
    }
}

extension ServiceResolver {
    /// Every Ingress in every namespace.
    func ingresses() async -> [JSONValue] {
        guard let type = await type("ingresses", group: "networking.k8s.io"), let page = try? await store.list(type, namespace: nil) else {
            return []
        }
        return page.items
    }

    /// How the ingress controller sends a request for `host` (`nil`: synthetic traffic to `main`), when a main
    /// Ingress has a rule for it: to the main backend, or to the canary Ingress's by header, cookie or weight.
    func ingressRouting(host: String?, request: RequestAttributes, main: JSONValue? = nil) async -> Routing? {
        let all = await ingresses().filter(IngressRouting.serves)
        let bare = host.map { String($0.split(separator: ":").first ?? "") }
        let candidates = main.map { [$0] } ?? all.filter { !IngressRouting.isCanary($0) }
        for ingress in candidates {
            guard let primary = IngressRouting.backend(of: ingress, host: bare, path: request.path) else { continue }
            let namespace = ingress[path: "metadata", "namespace"]?.stringValue ?? "default"
            let name = ingress[path: "metadata", "name"]?.stringValue ?? ""
            let mainHop = IngressRouting.Hop(ingress: name, namespace: namespace, service: primary.service, canary: "")
            var destinations = [
                Destination(
                    weight: 100, backends: await backends(of: "\(primary.service).\(namespace)", namespace: namespace), via: .ingress(mainHop))
            ]
            let canaries = all.filter { IngressRouting.isCanary($0) && $0[path: "metadata", "namespace"]?.stringValue == namespace }
            if let canary = canaries.first(where: {
                IngressRouting.backend(of: $0, host: primary.host.isEmpty ? bare : primary.host, path: request.path) != nil
            }),
                let alternative = IngressRouting.backend(of: canary, host: primary.host.isEmpty ? bare : primary.host, path: request.path)
            {
                let annotations = canary[path: "metadata", "annotations"]?.objectValue ?? [:]
                let hop = IngressRouting.Hop(
                    ingress: name, namespace: namespace, service: alternative.service,
                    canary: "\(namespace)-\(alternative.service)-\(alternative.port)")
                let canaryDestination = Destination(
                    weight: 0, backends: await backends(of: "\(alternative.service).\(namespace)", namespace: namespace), via: .ingress(hop))
                switch IngressRouting.decision(annotations, request: request) {
                case true?: destinations = [Destination(weight: 100, backends: canaryDestination.backends, via: .ingress(hop))]
                case false?: break
                case nil:
                    let weight = min(max(Double(annotations["\(IngressRouting.prefix)/canary-weight"]?.stringValue ?? "0") ?? 0, 0), 100)
                    destinations = [
                        Destination(weight: 100 - weight, backends: destinations[0].backends, via: .ingress(mainHop)),
                        Destination(weight: weight, backends: canaryDestination.backends, via: .ingress(hop)),
                    ]
                }
            }
            return Routing(destinations: destinations, mirror: nil)
        }
        return nil
    }
}
