import CanaryAPI
import KubeCore

extension GatewayAPIRouter {
    /// Whether each Gateway the route names has accepted its current generation (Flagger 1.42, #1791): a
    /// parent whose `Accepted` condition is not `True` refuses the routing; one that reports an older
    /// generation has not caught up yet. A parent that reports nothing (no controller answers for it) does not
    /// hold the Canary, as in Flagger.
    public func readiness(_ canary: Canary) -> RoutingReadiness {
        guard let live = routing(canary).object.live(canary) else { return .ready }
        return GatewayAPIRouter.readiness(of: live)
    }

    /// The readiness of one route object from its `status.parents`. Pure.
    static func readiness(of route: JSONValue) -> RoutingReadiness {
        let name =
            "\(route[path: "metadata", "kind"]?.stringValue ?? route["kind"]?.stringValue ?? "HTTPRoute") "
            + "\(route[path: "metadata", "name"]?.stringValue ?? "").\(route[path: "metadata", "namespace"]?.stringValue ?? "")"
        let namespace = route[path: "metadata", "namespace"]?.stringValue ?? ""
        let generation = route[path: "metadata", "generation"]?.int64Value ?? 0
        var pending: String?
        for reference in route[path: "spec", "parentRefs"]?.arrayValue ?? [] {
            for parent in route[path: "status", "parents"]?.arrayValue ?? [] where sameParent(parent["parentRef"], reference, namespace: namespace) {
                guard let accepted = (parent["conditions"]?.arrayValue ?? []).first(where: { $0["type"] == "Accepted" }) else { continue }
                let parentName = reference["name"]?.stringValue ?? ""
                let observed = accepted["observedGeneration"]?.int64Value ?? 0
                if accepted["status"]?.stringValue != "True" {
                    let why = [accepted["reason"]?.stringValue, accepted["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
                    return .refused(
                        "\(name) parent \(parentName) is not ready (status: \(accepted["status"]?.stringValue ?? "Unknown"), \(why), "
                            + "observed generation: \(observed), current generation: \(generation))")
                }
                if observed < generation {
                    pending = "\(name) parent \(parentName) has observed generation \(observed), not \(generation) yet"
                }
            }
        }
        return pending.map(RoutingReadiness.pending) ?? .ready
    }

    /// Whether a status entry's `parentRef` is the spec's `reference` (name, namespace, section and port; the
    /// namespace defaults to the route's).
    static func sameParent(_ entry: JSONValue?, _ reference: JSONValue, namespace: String) -> Bool {
        guard let entry else { return false }
        func key(_ value: JSONValue) -> [String] {
            [
                value["name"]?.stringValue ?? "", value["namespace"]?.stringValue ?? namespace, value["sectionName"]?.stringValue ?? "",
                value["port"].map { "\($0)" } ?? "",
            ]
        }
        return key(entry) == key(reference)
    }
}
