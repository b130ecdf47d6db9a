import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

extension IstioRouter {
    static func destinations(_ canary: Canary, _ routes: Routes) -> JSONValue {
        let port = canary.spec.service?.port.map { JSONValue.int($0) }
        func destination(_ host: String, _ weight: Int) -> JSONValue {
            var entry: JSONValue = ["destination": ["host": .string(host)], "weight": .int(weight)]
            if let port, canary.spec.service?.gateways?.contains(where: { $0 != "mesh" }) == true { entry[path: "destination", "port"] = ["number": port] }
            return entry
        }
        return [destination("\(canary.serviceName)-primary", routes.primary), destination("\(canary.serviceName)-canary", routes.canary)]
    }

    /// The members of the VirtualService spec Serin owns, for the given weights.
    static func desiredSpec(_ canary: Canary, routes: Routes) -> (hosts: JSONValue, gateways: JSONValue, route: JSONObject) {
        let service = canary.spec.service ?? CanaryService()
        var hosts = service.hosts ?? []
        if !hosts.contains(canary.serviceName) && !hosts.contains("*") { hosts.append(canary.serviceName) }
        let gateways = (service.gateways ?? []).isEmpty ? ["mesh"] : service.gateways!
        var route = JSONObject()
        if let match = service.match, !match.isEmpty { route["match"] = .array(match) }
        route["rewrite"] = service.rewrite
        route["timeout"] = service.timeout.map(JSONValue.string)
        route["retries"] = service.retries
        route["headers"] = service.headers
        route["corsPolicy"] = service.corsPolicy
        route["route"] = destinations(canary, routes)
        return (.array(hosts.map(JSONValue.string)), .array(gateways.map(JSONValue.string)), route)
    }

    func reconcileVirtualService(_ canary: Canary, owner: OwnerReference) async throws {
        guard let existing = virtualServiceCache.get(namespace: canary.namespace, name: canary.serviceName)?.json else {
            let desired = IstioRouter.desiredSpec(canary, routes: .allPrimary)
            let service: JSONValue = [
                "apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService",
                "metadata": ["name": .string(canary.serviceName), "namespace": .string(canary.namespace), "ownerReferences": [owner.json]],
                "spec": ["hosts": desired.hosts, "gateways": desired.gateways, "http": [.object(desired.route)]],
            ]
            do { _ = try await virtualServices.create(service, namespace: canary.namespace) } catch let error as KubeAPIError where error.isAlreadyExists {}
            return
        }
        let live = IstioRouter.weights(in: existing, canary: canary) ?? .allPrimary
        let desired = IstioRouter.desiredSpec(canary, routes: live)
        var http = existing[path: "spec", "http"]?.arrayValue ?? []
        var first = http.first?.objectValue ?? [:]
        for field in IstioRouter.ownedRouteFields { first[field] = desired.route[field] }
        if http.isEmpty { http = [.object(first)] } else { http[0] = .object(first) }
        var patch: JSONValue = [:]
        if existing[path: "spec", "hosts"] != desired.hosts { patch[path: "spec", "hosts"] = desired.hosts }
        if existing[path: "spec", "gateways"] != desired.gateways { patch[path: "spec", "gateways"] = desired.gateways }
        if existing[path: "spec", "http"] != .array(http) { patch[path: "spec", "http"] = .array(http) }
        guard patch.objectValue?.isEmpty == false else { return }
        _ = try await virtualServices.patch(canary.serviceName, namespace: canary.namespace, patch: .merge(patch))
    }

    func reconcileDestinationRule(_ canary: Canary, host: String, owner: OwnerReference) async throws {
        var spec: JSONValue = ["host": .string(host)]
        spec["trafficPolicy"] = canary.spec.service?.trafficPolicy
        guard let existing = destinationRuleCache.get(namespace: canary.namespace, name: host)?.json else {
            let rule: JSONValue = [
                "apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule",
                "metadata": ["name": .string(host), "namespace": .string(canary.namespace), "ownerReferences": [owner.json]],
                "spec": spec,
            ]
            do { _ = try await destinationRules.create(rule, namespace: canary.namespace) } catch let error as KubeAPIError where error.isAlreadyExists {}
            return
        }
        var patch: JSONValue = [:]
        if existing[path: "spec", "host"] != spec["host"] { patch[path: "spec", "host"] = spec["host"] }
        if existing[path: "spec", "trafficPolicy"] != spec["trafficPolicy"] { patch[path: "spec", "trafficPolicy"] = spec["trafficPolicy"] ?? .null }
        guard patch.objectValue?.isEmpty == false else { return }
        _ = try await destinationRules.patch(host, namespace: canary.namespace, patch: .merge(patch))
    }
}
