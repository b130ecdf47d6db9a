import Foundation
import KubeAPIServer
import KubeCore

/// What a Gateway API implementation writes on the routes attached to its Gateways: `status.parents`, one
/// entry per parent reference that names a Gateway of the cluster, with an `Accepted` condition at the route's
/// generation. `True` when one of the Gateway's listeners admits routes from the route's namespace
/// (`allowedRoutes.namespaces.from`: `Same` by default, `All`, or `Selector` by the namespace's labels),
/// else `False` with reason `NotAllowedByListeners`. A parent reference to a Gateway that does not exist gets
/// no entry, as no controller answers for it.
public actor GatewayRouteStatus {
    /// The controller name the entries carry.
    public static let controllerName = "sandbox.serin.dev/gateway-controller"

    private let store: ObjectStore

    public init(store: ObjectStore) { self.store = store }

    /// Follows HTTPRoutes and Gateways until cancelled.
    public func run() async {
        let (events, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await store.observe { event, type, _ in
            guard event != "DELETED", type.resource.group == GatewayAPICRDs.group,
                ["httproutes", "gateways"].contains(type.resource.plural)
            else { return }
            continuation.yield()
        }
        for await _ in events { await update() }
    }

    /// Writes the status of every HTTPRoute whose entries are not what its Gateways say.
    func update() async {
        guard let routes = await store.type(plural: "httproutes", group: GatewayAPICRDs.group),
            let gateways = await store.type(plural: "gateways", group: GatewayAPICRDs.group)
        else { return }
        let all = (try? await store.list(routes, namespace: nil).items) ?? []
        for route in all {
            let namespace = route[path: "metadata", "namespace"]?.stringValue ?? ""
            var parents: [JSONValue] = []
            for reference in route[path: "spec", "parentRefs"]?.arrayValue ?? [] {
                guard (reference["kind"]?.stringValue ?? "Gateway") == "Gateway", let name = reference["name"]?.stringValue else { continue }
                let gatewayNamespace = reference["namespace"]?.stringValue ?? namespace
                guard let gateway = try? await store.get(gateways, namespace: gatewayNamespace, name: name) else { continue }
                let admitted = await admits(gateway, routeNamespace: namespace)
                parents.append(entry(reference, route: route, admitted: admitted, previous: route[path: "status", "parents"]?[parents.count]))
            }
            let live = route[path: "status", "parents"] ?? .array([])
            guard live != .array(parents) else { continue }
            var updated = route
            updated[path: "status", "parents"] = .array(parents)
            _ = try? await store.update(
                routes, namespace: namespace, name: route[path: "metadata", "name"]?.stringValue ?? "", object: updated, subresource: "status")
        }
    }

    /// The entry for one parent; the condition's transition time stays the previous entry's when only the
    /// generation moved.
    private func entry(_ reference: JSONValue, route: JSONValue, admitted: Bool, previous: JSONValue?) -> JSONValue {
        let status = admitted ? "True" : "False"
        let old = previous?["conditions"]?[0]
        let since = old?["status"]?.stringValue == status ? old?["lastTransitionTime"] : nil
        let condition: JSONValue = [
            "type": "Accepted", "status": .string(admitted ? "True" : "False"),
            "reason": .string(admitted ? "Accepted" : "NotAllowedByListeners"),
            "message": .string(admitted ? "Route is accepted" : "no listener of the Gateway allows routes from this namespace"),
            "observedGeneration": route[path: "metadata", "generation"] ?? 1,
            "lastTransitionTime": since ?? .string(KubeTime(Date()).description),
        ]
        return ["parentRef": reference, "controllerName": .string(GatewayRouteStatus.controllerName), "conditions": [condition]]
    }

    private func admits(_ gateway: JSONValue, routeNamespace: String) async -> Bool {
        let gatewayNamespace = gateway[path: "metadata", "namespace"]?.stringValue ?? ""
        for listener in gateway[path: "spec", "listeners"]?.arrayValue ?? [] {
            let from = listener[path: "allowedRoutes", "namespaces"]
            switch from?["from"]?.stringValue ?? "Same" {
            case "All": return true
            case "Same": if routeNamespace == gatewayNamespace { return true }
            case "Selector":
                let wanted = from?[path: "selector", "matchLabels"]?.objectValue ?? [:]
                if await namespaceLabels(routeNamespace).matches(wanted) { return true }
            default: continue
            }
        }
        return false
    }

    private func namespaceLabels(_ name: String) async -> JSONObject {
        guard let namespaces = await store.type(plural: "namespaces"),
            let namespace = try? await store.get(namespaces, namespace: nil, name: name)
        else { return [:] }
        return namespace[path: "metadata", "labels"]?.objectValue ?? [:]
    }
}

extension JSONObject {
    fileprivate func matches(_ wanted: JSONObject) -> Bool { wanted.allSatisfy { self[$0.key] == $0.value } }
}
