import CanaryAPI

extension Canary {
    /// What an SMI TrafficSplit can carry (`linkerd`, `osm`, `smi:*`): weights for one Service. The mesh fields, A/B
    /// matches (Flagger's v1alpha3 TrafficSplit writes no HTTPRouteGroup `matches` either), mirroring and session
    /// affinity are refused by name (Linkerd's HTTPRoutes do those: `gatewayapi:v1beta1`).
    func validateSMI(into issues: inout ValidationIssues, provider: MeshProvider) {
        let service = spec.service ?? CanaryService()
        for (field, set) in meshRouteFields() where set {
            issues.add(
                field,
                "not supported by the \(provider) provider (an SMI TrafficSplit splits by weight only\(provider == .linkerd ? "; Linkerd's HTTPRoutes can: provider gatewayapi:v1beta1" : ""))"
            )
        }
        if !(spec.analysis?.match ?? []).isEmpty {
            issues.add(
                "spec.analysis.match",
                "A/B testing is not supported by the \(provider) provider (SMI TrafficSplit)\(provider == .linkerd ? "; use provider gatewayapi:v1beta1 with the Service as gatewayRef" : "")"
            )
        }
        if let host = service.hosts?.first {
            issues.matching(
                host, "^[a-z]([-a-z0-9]*[a-z0-9])?$", maximum: 63, "spec.service.hosts[0]",
                "a Service name (a DNS-1035 label): the TrafficSplit's apex Service")
        }
        if (service.hosts ?? []).count > 1 {
            issues.add("spec.service.hosts", "a TrafficSplit splits one Service; the \(provider) provider uses hosts[0] only")
        }
        if service.appProtocol?.lowercased() == "tcp" {
            issues.add("spec.service.appProtocol", "a TrafficSplit of HTTP requests: tcp is not supported")
        }
    }
}

extension SMIRouter {
    /// What the SMI (linkerd, osm, smi:*) router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static func validation(_ provider: MeshProvider) -> RouterRules {
        RouterRules { canary, issues in canary.validateSMI(into: &issues, provider: provider) }
    }
}
