import CanaryAPI
import Foundation
import KubeClient
import KubeCore

/// Reads what a Canary's page shows besides the Canary itself, with the user's own client: its Events and the
/// objects Serin owns for it. What the user may not read is shown with the API server's message.
struct DashboardReader: Sendable {
    let client: KubeClient

    /// The routing objects a page shows, by provider (the others' live state is in their routes' Events).
    static let routes: [String: (resource: KubeResource, weights: @Sendable (JSONValue, Set<String>) -> String)] = [
        "istio": (
            KubeResource(group: "networking.istio.io", version: "v1beta1", kind: "VirtualService", plural: "virtualservices", namespaced: true),
            { object, leading in
                // The weighted route comes after the routes Serin puts ahead of it (a script's header and mirror routes).
                let http = object[path: "spec", "http"]?.arrayValue ?? []
                let weighted = http.first { !leading.contains($0["name"]?.stringValue ?? "") }
                return weights(weighted?["route"]?.arrayValue ?? [], name: { $0[path: "destination", "host"] })
            }
        ),
        "gatewayapi:v1": (
            KubeResource(group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", plural: "httproutes", namespaced: true),
            { object, _ in
                // The weighted rule splits to `-primary`: a script's header rule ahead of it has the canary alone.
                let rules = object[path: "spec", "rules"]?.arrayValue ?? []
                let weighted = rules.first {
                    ($0["backendRefs"]?.arrayValue ?? []).contains { $0["name"]?.stringValue?.hasSuffix("-primary") == true }
                }
                return weights((weighted ?? rules.first)?["backendRefs"]?.arrayValue ?? [], name: { $0["name"] })
            }
        ),
    ]

    static func weights(_ destinations: [JSONValue], name: (JSONValue) -> JSONValue?) -> String {
        let parts = destinations.map { "\(name($0)?.stringValue ?? "?") \($0["weight"]?.intValue ?? 0)%" }
        return parts.isEmpty ? "no weighted route" : "weights: " + parts.joined(separator: ", ")
    }

    func events(namespace: String, name: String) async -> Result<[JSONValue], DashboardReadError> {
        var options = ListOptions()
        options.fieldSelector = "involvedObject.name=\(name),involvedObject.kind=Canary"
        do {
            let items = try await client.resource(.events, as: JSONValue.self).list(namespace: namespace, options: options).items
            return .success(
                items.filter { $0[path: "involvedObject", "kind"] == "Canary" && $0[path: "involvedObject", "name"]?.stringValue == name })
        } catch { return .failure(DashboardReadError(message: DashboardReader.message(error))) }
    }

    /// The workloads, Services and routing object of the Canary, each with its live state.
    func objects(of canary: JSONValue) async -> [(kind: String, name: String, state: String)] {
        let namespace = canary[path: "metadata", "namespace"]?.stringValue ?? ""
        let target = canary[path: "spec", "targetRef", "name"]?.stringValue ?? ""
        let service = canary[path: "spec", "service", "name"]?.stringValue ?? target
        var found: [(String, String, String)] = []
        for (name, role) in [(target, "canary"), ("\(target)-primary", "primary")] {
            found.append(
                (
                    "Deployment", name,
                    await state(.deployments, name: name, namespace: namespace) { deployment in
                        let ready = deployment[path: "status", "readyReplicas"]?.intValue ?? 0
                        return "\(role): \(ready)/\(deployment[path: "spec", "replicas"]?.intValue ?? 0) ready, image "
                            + (deployment[path: "spec", "template", "spec", "containers"]?[0]?["image"]?.stringValue ?? "?")
                    }
                ))
        }
        for name in [service, "\(service)-primary", "\(service)-canary"] {
            found.append(
                (
                    "Service", name,
                    await state(.services, name: name, namespace: namespace) { object in
                        "selects "
                            + (object[path: "spec", "selector"]?.objectValue ?? [:]).map { "\($0.key)=\($0.value.stringValue ?? "")" }.sorted()
                            .joined(separator: ",")
                    }
                ))
        }
        let provider = canary[path: "spec", "provider"]?.stringValue ?? "istio"
        if let route = DashboardReader.routes[provider] {
            // Display only: a Canary that cannot be read as one shows its routing object's first route.
            let leading = (try? canary.decode(as: Canary.self))?.leadingRouteNames ?? []
            found.append(
                (route.resource.kind, service, await state(route.resource, name: service, namespace: namespace) { route.weights($0, leading) }))
        }
        return found
    }

    private func state(
        _ resource: KubeResource, name: String, namespace: String, _ describe: @Sendable (JSONValue) -> String
    ) async -> String {
        do { return describe(try await client.resource(resource, as: JSONValue.self).get(name, namespace: namespace)) } catch {
            return DashboardReader.message(error)
        }
    }

    /// What the API server said, without the request's URL: "forbidden: …", "not found".
    static func message(_ error: any Error) -> String {
        guard let api = error as? KubeAPIError else { return "\(error)" }
        return api.status.message ?? "\(api.status.code ?? 0) \(api.reason)"
    }
}
