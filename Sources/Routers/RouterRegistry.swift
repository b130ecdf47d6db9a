import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime

/// How to build one provider's router, and what it must have watched.
public struct RouterRegistration: Sendable {
    public var provider: MeshProvider
    /// The resources the router reads from caches (their CRDs are checked at start-up).
    public var resources: [WatchedResource]
    public var make: @Sendable (KubeClient, ObjectCaches, RouterSettings) -> any TrafficRouter
    /// Objects of the users' the router reads for a Canary (the nginx router's `ingressRef`): a change to
    /// one reconciles the Canaries naming it.
    public var references: [Reference]
    /// The RBAC rules the router's requests need (the chart grants them when it is the mesh provider): by
    /// default, what its caches and owned objects take (``PolicyRule/rule(for:)``) and list and watch of
    /// what ``references`` names.
    public var rules: [PolicyRule]
    /// What the router checks of a Canary and the spec fields only it uses (``RouterRules``): validation's
    /// router-specific part lives with the router.
    public var validation: RouterRules

    /// A resource of the users' and, for a Canary (its JSON), the names in its namespace it reads.
    public struct Reference: Sendable {
        public var resource: KubeResource
        public var names: @Sendable (JSONValue) -> [String]

        public init(_ resource: KubeResource, names: @escaping @Sendable (JSONValue) -> [String]) {
            self.resource = resource
            self.names = names
        }
    }

    public init(
        provider: MeshProvider, resources: [WatchedResource], references: [Reference] = [], rules: [PolicyRule]? = nil,
        validation: RouterRules = RouterRules(),
        make: @escaping @Sendable (KubeClient, ObjectCaches, RouterSettings) -> any TrafficRouter
    ) {
        self.provider = provider
        self.validation = validation
        self.resources = resources
        self.references = references
        self.rules = rules ?? RouterRegistration.rules(resources: resources, references: references)
        self.make = make
    }

    /// What caches of `resources` and reads of `references` need.
    static func rules(resources: [WatchedResource], references: [Reference]) -> [PolicyRule] {
        let watched = Set(resources.map(\.resource))
        return resources.map(PolicyRule.rule(for:))
            + references.filter { !watched.contains($0.resource) }.map { PolicyRule($0.resource, verbs: PolicyRule.readVerbs) }
    }
}

/// The operator's settings some routers take (Flagger's flags of the same names).
public struct RouterSettings: Sendable, Equatable {
    /// The prefix of ingress-nginx's annotations (`--ingress-annotations-prefix`).
    public var ingressAnnotationsPrefix = NginxRouter.defaultPrefix
    /// The `ingressClassName` of the HTTPProxies Serin writes (`--ingress-class`); `nil` writes none.
    public var ingressClass: String?
    /// What the `kuma` provider writes (`--kuma-policy`): Flagger's TrafficRoute, or Kuma 2.x's MeshHTTPRoute.
    public var kumaPolicy = KumaPolicy.trafficRoute

    /// The Kuma policy the `kuma` provider writes.
    public enum KumaPolicy: String, Sendable, CaseIterable {
        case trafficRoute = "TrafficRoute", meshHTTPRoute = "MeshHTTPRoute"
    }

    public init() {}
}

/// The routers Serin implements. Adding a provider is one file with a ``TrafficRouter`` and its
/// registration here.
public enum RouterRegistry {
    public static let registrations: [RouterRegistration] = [
        IstioRouter.registration, NoMeshRouter.registration,
        GatewayAPIRouter.registration(.gatewayAPIV1, version: "v1"), GatewayAPIRouter.registration(.gatewayAPIV1beta1, version: "v1beta1"),
        NginxRouter.registration, SMIRouter.registration(.linkerd, version: .v1alpha1, queries: SMIRouter.linkerdQueries),
        SMIRouter.registration(.osm, version: .v1alpha2, queries: SMIRouter.osmQueries),
        SMIRouter.registration(.smiV1alpha1, version: .v1alpha1, queries: IstioRouter.queries),
        SMIRouter.registration(.smiV1alpha2, version: .v1alpha2, queries: IstioRouter.queries),
        SMIRouter.registration(.smiV1alpha3, version: .v1alpha3, queries: IstioRouter.queries), ContourRouter.registration,
        TraefikRouter.registration, APISIXRouter.registration, GlooRouter.registration, SkipperRouter.registration,
        KumaRouter.registration, KnativeRouter.registration,
    ]

    /// The registration of `provider`; `nil` when Serin cannot route it yet.
    public static func registration(for provider: MeshProvider) -> RouterRegistration? {
        registrations.first { $0.provider == provider }
    }

    /// The providers Serin routes.
    public static var implemented: Set<MeshProvider> { Set(registrations.map(\.provider)) }

    /// Every router's checks and fields, for ``CanaryAPI/ValidationContext/routerRules``: all of them, not only
    /// the enabled ones, so that another provider's field is refused naming the provider that uses it.
    public static var validationRules: [MeshProvider: RouterRules] {
        Dictionary(registrations.map { ($0.provider, $0.validation) }, uniquingKeysWith: { first, _ in first })
    }

    /// What validation needs of the routers: their rules, and which are implemented and which enabled.
    public static func validationContext(
        meshProvider: MeshProvider = .default, routers: Set<MeshProvider> = [.istio, .kubernetes],
        targets: Set<TargetKind> = [.deployment, .daemonSet]
    ) -> ValidationContext {
        ValidationContext(
            meshProvider: meshProvider, routers: routers, implementedRouters: implemented, targets: targets,
            routerRules: validationRules)
    }

    /// The routers an operator with `meshProvider` as its default runs: that one, and `kubernetes`
    /// (which needs nothing but Services), as Flagger lets any Canary pick `provider: kubernetes`.
    public static func enabled(meshProvider: MeshProvider, settings: RouterSettings = RouterSettings()) -> [RouterRegistration] {
        registrations.filter { $0.provider == meshProvider || $0.provider == .kubernetes }.map { registration in
            registration.provider == .kuma && settings.kumaPolicy == .meshHTTPRoute ? KumaMeshHTTPRouter.registration : registration
        }
    }
}
