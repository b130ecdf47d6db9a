/// What the operator validating a Canary can do: its default provider and the routers and target kinds
/// it runs. Validation refuses anything else by name, never routes it some other way.
public struct ValidationContext: Sendable {
    /// `--mesh-provider`: the provider of Canaries without `spec.provider`.
    public var meshProvider: MeshProvider
    /// The providers this operator routes (it watches their objects).
    public var routers: Set<MeshProvider>
    /// The providers Serin implements at all (so a refusal says "not supported yet" or "not enabled").
    public var implementedRouters: Set<MeshProvider>
    /// The target kinds Serin ships.
    public var targets: Set<TargetKind>
    /// Each router's own checks and fields (``RouterRules``), from its registration. A provider without
    /// rules here gets the provider-neutral checks only.
    public var routerRules: [MeshProvider: RouterRules]
    /// Whether references may name other namespaces; `false` with `--no-cross-namespace-refs`.
    public var crossNamespaceRefs = true

    public init(
        meshProvider: MeshProvider = .default, routers: Set<MeshProvider> = [.istio, .kubernetes],
        implementedRouters: Set<MeshProvider>? = nil, targets: Set<TargetKind> = [.deployment, .daemonSet],
        routerRules: [MeshProvider: RouterRules] = [:]
    ) {
        self.meshProvider = meshProvider
        self.routers = routers
        self.implementedRouters = implementedRouters ?? routers
        self.targets = targets
        self.routerRules = routerRules
    }
}
