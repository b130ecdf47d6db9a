extension Canary {
    /// What an SMI TrafficSplit can carry (`linkerd`, `osm`): weights for one Service. The mesh fields, A/B matches, mirroring
    /// and session affinity are refused by name (Linkerd's HTTPRoutes do those: `gatewayapi:v1beta1`).
    func validateSMI(into issues: inout ValidationIssues, provider: MeshProvider) {
        let service = spec.service ?? CanaryService()
        for (field, set) in meshRouteFields() where set {
            issues.add(field, "not supported by the \(provider) provider (an SMI TrafficSplit splits by weight only\(provider == .linkerd ? "; Linkerd's HTTPRoutes can: provider gatewayapi:v1beta1" : ""))")
        }
        if !(spec.analysis?.match ?? []).isEmpty {
            issues.add("spec.analysis.match", "A/B testing is not supported by the \(provider) provider (SMI TrafficSplit)\(provider == .linkerd ? "; use provider gatewayapi:v1beta1 with the Service as gatewayRef" : "")")
        }
        if let host = service.hosts?.first {
            issues.matching(host, "^[a-z]([-a-z0-9]*[a-z0-9])?$", maximum: 63, "spec.service.hosts[0]", "a Service name (a DNS-1035 label): the TrafficSplit's apex Service")
        }
        if (service.hosts ?? []).count > 1 { issues.add("spec.service.hosts", "a TrafficSplit splits one Service; the \(provider) provider uses hosts[0] only") }
        if service.appProtocol?.lowercased() == "tcp" { issues.add("spec.service.appProtocol", "a TrafficSplit of HTTP requests: tcp is not supported") }
    }
}

extension Canary {
    /// The fields that shape a mesh route (Istio's, and Gateway API's for some), and whether each is set: what a
    /// router without routes of its own (an Ingress, a TrafficSplit) refuses by name.
    func meshRouteFields() -> [(field: String, set: Bool)] {
        let service = spec.service ?? CanaryService()
        return [
            ("spec.service.trafficPolicy", service.trafficPolicy != nil), ("spec.service.retries", service.retries != nil),
            ("spec.service.headers", service.headers != nil), ("spec.service.timeout", service.timeout != nil),
            ("spec.service.rewrite", service.rewrite != nil), ("spec.service.corsPolicy", service.corsPolicy != nil),
            ("spec.service.match", !(service.match ?? []).isEmpty), ("spec.service.gateways", !(service.gateways ?? []).isEmpty),
            ("spec.service.delegation", service.delegation == true),
            ("spec.analysis.mirror", spec.analysis?.mirror == true), ("spec.analysis.sessionAffinity", spec.analysis?.sessionAffinity != nil),
        ]
    }
}
