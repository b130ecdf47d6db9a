import CanaryAPI
import CanaryCore
import KubeCore

extension GatewayAPIRouter {
    /// Whether the Canary serves gRPC (`service.appProtocol: grpc`): its route is a GRPCRoute.
    static func isGRPC(_ canary: Canary) -> Bool { canary.spec.service?.appProtocol?.lowercased() == "grpc" }

    /// The GRPCRoute `<svc>` Serin wants, from the live one (`nil`: none yet), at `routes` (the live weights when
    /// `nil`): the weighted rule on `service.match` (headers, and `uri` `/<service>/<method>` as the gRPC
    /// method), header filters and mirrors; for A/B testing the analysis matches and a second rule to the
    /// primary. A user's rules that send elsewhere are kept after Serin's. Pure.
    public static func desiredGRPCRoute(_ canary: Canary, live: JSONValue?, routes: Routes? = nil) -> JSONValue {
        let routes = routes ?? live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        let service = canary.spec.service ?? CanaryService()
        var route = live ?? ["apiVersion": "gateway.networking.k8s.io/v1", "kind": "GRPCRoute"]
        route[path: "spec", "parentRefs"] = .array(service.gatewayRefs ?? [])
        route[path: "spec", "hostnames"] = (service.hosts ?? []).isEmpty ? nil : .array((service.hosts ?? []).map(JSONValue.string))
        let kept = (live?[path: "spec", "rules"]?.arrayValue ?? []).filter { !isSerins($0, canary: canary) }
        route[path: "spec", "rules"] = .array(grpcRules(canary, routes: routes) + kept)
        return route
    }

    static func grpcRules(_ canary: Canary, routes: Routes) -> [JSONValue] {
        let matches = (canary.spec.service?.match ?? []).map(grpcMatch)
        let filters = self.filters(canary).filter {
            ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror"].contains($0["type"]?.stringValue ?? "")
        }
        func rule(_ matches: [JSONValue], _ backends: JSONValue, mirrored: Bool) -> JSONValue {
            var rule: JSONValue = [:]
            if !matches.isEmpty { rule["matches"] = .array(matches) }
            let all = filters + (mirrored ? [mirrorToCanary(canary)] : [])
            if !all.isEmpty { rule["filters"] = .array(all) }
            rule["backendRefs"] = backends
            return rule
        }
        var weighted = rule(matches, backends(canary, routes), mirrored: routes.mirrored)
        guard canary.strategy == .abTesting else { return [weighted] }
        let analysis = (canary.spec.analysis?.match ?? []).map(grpcMatch)
        let base = matches.isEmpty ? [JSONValue.object([:])] : matches
        weighted["matches"] = .array(
            analysis.flatMap { block in
                base.map { match in
                    var merged = match
                    let headers = (match["headers"]?.arrayValue ?? []) + (block["headers"]?.arrayValue ?? [])
                    merged["headers"] = headers.isEmpty ? nil : .array(headers)
                    if let method = block["method"] { merged["method"] = method }
                    return merged
                }
            })
        return [weighted, rule(matches, [backend("\(canary.serviceName)-primary", 100, canary)], mirrored: false)]
    }

    /// An Istio-style `match` block as a GRPCRoute match: `headers` exact/regex, and `uri` `exact: /S/M` or
    /// `prefix: /S/` as the method (`service`, and `method` when exact). Validation refuses the rest.
    static func grpcMatch(_ block: JSONValue) -> JSONValue {
        var match: JSONObject = [:]
        let headers = conditions(block["headers"])
        if !headers.isEmpty { match["headers"] = .array(headers) }
        let parts = (block[path: "uri", "exact"] ?? block[path: "uri", "prefix"])?.stringValue?.split(separator: "/").map(String.init) ?? []
        if let name = parts.first {
            var method: JSONObject = ["type": "Exact", "service": .string(name)]
            if parts.count > 1 { method["method"] = .string(parts[1]) }
            match["method"] = .object(method)
        }
        return .object(match)
    }
}
