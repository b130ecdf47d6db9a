import CanaryAPI
import KubeCore

extension Canary {
    /// What a GRPCRoute carries (`service.appProtocol: grpc` with `gatewayapi:v1`): header matches, the gRPC
    /// method from `uri` (`exact: /<service>/<method>` or `prefix: /<service>/`), header filters and mirrors.
    /// Timeouts, rewrites, CORS and cookies are HTTPRoute's, refused by name.
    func validateGRPCRoute(into issues: inout ValidationIssues, provider: MeshProvider) {
        if provider != .gatewayAPIV1 {
            issues.add("spec.service.appProtocol", "GRPCRoute is served as gateway.networking.k8s.io/v1 only: use provider gatewayapi:v1")
        }
        let service = spec.service ?? CanaryService()
        let httpOnly: [(String, Bool)] = [
            ("spec.service.timeout", service.timeout != nil), ("spec.service.backendTimeout", service.backendTimeout != nil),
            ("spec.service.rewrite", service.rewrite != nil), ("spec.service.corsPolicy", service.corsPolicy != nil),
            ("spec.analysis.sessionAffinity", spec.analysis?.sessionAffinity != nil),
        ]
        for (field, set) in httpOnly where set { issues.add(field, "not carried by a GRPCRoute (appProtocol grpc)") }
        for (list, blocks) in [("spec.service.match", service.match ?? []), ("spec.analysis.match", spec.analysis?.match ?? [])] {
            for (index, block) in blocks.enumerated() {
                for key in (block.objectValue ?? [:]).keys where !["headers", "uri"].contains(key) {
                    issues.add("\(list)[\(index)].\(key)", "a GRPCRoute matches headers and the method (uri) only")
                }
                if let uri = block["uri"] { validateGRPCMethod(uri, field: "\(list)[\(index)].uri", into: &issues) }
                let headers = block["headers"]?.objectValue ?? [:]
                issues.count(headers.count, maximum: 16, "\(list)[\(index)].headers", "headers")
                for (name, condition) in headers {
                    let field = "\(list)[\(index)].headers.\(name)"
                    if condition["exact"] == nil && condition["regex"] == nil { issues.add(field, "matches by exact or regex only") }
                    issues.matching(name, RouteFieldRules.httpToken, maximum: 256, field, "an HTTP header name (an RFC 7230 token)")
                    gatewayStringMatch(condition, field, valueLimit: 4096, into: &issues)
                }
            }
        }
    }

    /// `uri` as a gRPC method: `exact: /<service>/<method>` or `prefix: /<service>/`, the service a dotted
    /// protobuf name and the method an identifier (GRPCRoute's patterns).
    private func validateGRPCMethod(_ uri: JSONValue, field: String, into issues: inout ValidationIssues) {
        let exact = uri["exact"]?.stringValue?.split(separator: "/").map(String.init)
        let prefix = uri["prefix"]?.stringValue?.split(separator: "/").map(String.init)
        guard let parts = exact.flatMap({ $0.count == 2 ? $0 : nil }) ?? prefix.flatMap({ $0.count == 1 ? $0 : nil }) else {
            return issues.add(field, "a gRPC method is exact: /<service>/<method> or prefix: /<service>/")
        }
        let kind = exact != nil ? "exact" : "prefix"
        issues.matching(
            parts[0], #"^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$"#, maximum: 1024, "\(field).\(kind)", "a gRPC service name (package.Service)")
        if parts.count == 2 { issues.matching(parts[1], "^[A-Za-z_][A-Za-z_0-9]*$", maximum: 1024, "\(field).\(kind)", "a gRPC method name") }
    }
}
