import Foundation

/// Where a field of a routing object Serin writes comes from in the Canary: a 422 the API server answers about
/// an HTTPRoute's `spec.hostnames[1]` is shown as the Canary's `spec.service.hosts[1]`, the field the user wrote.
/// Validation (``Canary/validate(_:)``) refuses what it knows first; this names the rest.
public enum RoutingFieldMap {
    /// Per routing object kind, a pattern of its field paths and the Canary field it is copied from (`$1`…:
    /// the pattern's groups). The first matching entry wins.
    static let entries: [(kinds: Set<String>, pattern: String, canaryField: String)] = [
        (gatewayRoutes, #"^spec\.hostnames(\[[0-9]+\])?"#, "spec.service.hosts$1"),
        (gatewayRoutes, #"^spec\.parentRefs(.*)$"#, "spec.service.gatewayRefs$1"),
        (gatewayRoutes, #"^spec\.rules\[[0-9]+\]\.timeouts\.request$"#, "spec.service.timeout"),
        (gatewayRoutes, #"^spec\.rules\[[0-9]+\]\.timeouts\.backendRequest$"#, "spec.service.backendTimeout"),
        (gatewayRoutes, #"^spec\.rules\[[0-9]+\]\.filters\[[0-9]+\]\.requestHeaderModifier.*$"#, "spec.service.headers.request"),
        (gatewayRoutes, #"^spec\.rules\[[0-9]+\]\.filters\[[0-9]+\]\.responseHeaderModifier.*$"#, "spec.service.headers.response"),
        (gatewayRoutes, #"^spec\.rules\[[0-9]+\]\.filters\[[0-9]+\]\.urlRewrite.*$"#, "spec.service.rewrite"),
        (gatewayRoutes, #"^spec\.rules\[[0-9]+\]\.filters\[[0-9]+\]\.requestMirror.*$"#, "spec.service.mirror"),
        (gatewayRoutes, #"^spec\.rules\[[0-9]+\]\.filters\[[0-9]+\]\.cors.*$"#, "spec.service.corsPolicy"),
        (gatewayRoutes, #"^spec\.rules\[[0-9]+\]\.matches.*$"#, "spec.service.match or spec.analysis.match"),
        (["VirtualService"], #"^spec\.hosts(\[[0-9]+\])?"#, "spec.service.hosts$1"),
        (["VirtualService"], #"^spec\.gateways(\[[0-9]+\])?"#, "spec.service.gateways$1"),
        (["VirtualService"], #"^spec\.http\[[0-9]+\]\.(retries|timeout|headers|corsPolicy|rewrite)(.*)$"#, "spec.service.$1$2"),
        (["VirtualService"], #"^spec\.http\[[0-9]+\]\.match.*$"#, "spec.service.match or spec.analysis.match"),
        (["DestinationRule"], #"^spec\.trafficPolicy(.*)$"#, "spec.service.trafficPolicy$1"),
        (["HTTPProxy"], #"^spec\.routes\[[0-9]+\]\.retryPolicy\.count$"#, "spec.service.retries.attempts"),
        (["HTTPProxy"], #"^spec\.routes\[[0-9]+\]\.retryPolicy\.(perTryTimeout|retryOn).*$"#, "spec.service.retries.$1"),
        (["HTTPProxy"], #"^spec\.routes\[[0-9]+\]\.timeoutPolicy.*$"#, "spec.service.timeout"),
        (["HTTPProxy"], #"^spec\.routes\[[0-9]+\]\.conditions.*$"#, "spec.service.match or spec.analysis.match"),
        (["Ingress"], #"^metadata\.annotations.*canary-by.*$"#, "spec.analysis.match"),
        (["Service"], #"^spec\.ports.*$"#, "spec.service.port"),
    ]

    private static let gatewayRoutes: Set<String> = ["HTTPRoute", "GRPCRoute"]

    /// The Canary field that `field` of a `kind` object Serin writes comes from; `nil` when it is Serin's own.
    public static func canaryField(kind: String, field: String) -> String? {
        for entry in entries where entry.kinds.contains(kind) {
            guard let range = field.range(of: entry.pattern, options: .regularExpression) else { continue }
            return String(field[range]).replacingOccurrences(of: entry.pattern, with: entry.canaryField, options: .regularExpression)
        }
        return nil
    }
}
