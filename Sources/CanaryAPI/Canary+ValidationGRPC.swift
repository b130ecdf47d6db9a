import KubeCore
import OrderedCollections

extension Canary {
    /// What a GRPCRoute carries (`service.appProtocol: grpc` with `gatewayapi:v1`): header matches, the gRPC
    /// method from `uri` (`exact: /<service>/<method>` or `prefix: /<service>/`), header filters and mirrors.
    /// Timeouts, rewrites, CORS and cookies are HTTPRoute's, refused by name.
    func validateGRPCRoute(into issues: inout ValidationIssues, provider: MeshProvider) {
        if provider != .gatewayAPIV1 { issues.add("spec.service.appProtocol", "GRPCRoute is served as gateway.networking.k8s.io/v1 only: use provider gatewayapi:v1") }
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
                if let uri = block["uri"] {
                    let exact = uri["exact"]?.stringValue.map { $0.split(separator: "/").count == 2 } ?? false
                    let prefix = uri["prefix"]?.stringValue.map { $0.split(separator: "/").count == 1 } ?? false
                    if !exact && !prefix { issues.add("\(list)[\(index)].uri", "a gRPC method is exact: /<service>/<method> or prefix: /<service>/") }
                }
                for (name, condition) in block["headers"]?.objectValue ?? [:] where condition["exact"] == nil && condition["regex"] == nil {
                    issues.add("\(list)[\(index)].headers.\(name)", "matches by exact or regex only")
                }
            }
        }
    }
}
