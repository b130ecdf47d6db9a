extension Canary {
    /// The fields that shape a mesh route (Istio's, and Gateway API's for some), and whether each is set: what a
    /// router without routes of its own (an Ingress, a TrafficSplit) refuses by name.
    public func meshRouteFields() -> [(field: String, set: Bool)] {
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
