extension Canary {
    /// The spec fields that only some providers use, as data: which providers read each, named in the refusal
    /// when another provider's Canary sets it (set, never ignored). Fields that shape a mesh route
    /// (``meshRouteFields()``) are refused by each router that cannot carry them, with its own reason.
    static let providerFields: [(field: String, providers: [MeshProvider], label: String, isSet: @Sendable (Canary) -> Bool)] = [
        ("spec.ingressRef", [.nginx], "the nginx provider", { $0.spec.ingressRef != nil }),
        ("spec.routeRef", [.apisix], "the apisix provider", { $0.spec.routeRef != nil }),
        ("spec.upstreamRef", [.gloo], "the gloo provider", { $0.spec.upstreamRef != nil }),
        ("spec.service.gatewayRefs", gatewayAPI, gatewayAPILabel, { !($0.spec.service?.gatewayRefs ?? []).isEmpty }),
        ("spec.service.backendTimeout", gatewayAPI, gatewayAPILabel, { $0.spec.service?.backendTimeout != nil }),
        ("spec.service.mirror", gatewayAPI, gatewayAPILabel, { !($0.spec.service?.mirror ?? []).isEmpty }),
    ]

    private static let gatewayAPI: [MeshProvider] = [.gatewayAPIV1, .gatewayAPIV1beta1]
    private static let gatewayAPILabel = "the Gateway API providers (gatewayapi:v1, gatewayapi:v1beta1)"

    /// Refuses, by name, each field of ``providerFields`` this Canary sets that `provider` does not use.
    func refuseOtherProvidersFields(into issues: inout ValidationIssues, provider: MeshProvider) {
        for entry in Canary.providerFields where !entry.providers.contains(provider) && entry.isSet(self) {
            issues.add(entry.field, "used only by \(entry.label); this Canary's provider is \(provider)")
        }
    }
}
