/// What one router checks of a Canary beyond the provider-neutral rules. It is registered with the router
/// (`RouterRegistration.validation` in `Routers`, next to the router's code) and reaches validation through
/// ``ValidationContext/routerRules``: `CanaryAPI` itself knows no router.
public struct RouterRules: Sendable {
    /// Adds the router's issues for a Canary it routes: what its routing object's schema would refuse and
    /// what it cannot carry, each naming its field.
    public var check: @Sendable (Canary, inout ValidationIssues) -> Void
    /// The spec fields this router uses that not every router does. Set on a Canary of a provider whose
    /// rules do not list it, such a field is refused by name (set, never ignored).
    public var fields: [ProviderField]
    /// Whether the router splits traffic three ways (primary, canary and baseline), so that it can route
    /// `analysis.baseline`; a Canary of a router that cannot is refused by name.
    public var splitsThreeWays: Bool
    /// Whether the router carries a script's `setHeaderRoute` and `setMirrorRoute` steps (routes ahead of the
    /// weighted one); a Canary of a router that cannot is refused by name.
    public var stepRoutes: Bool

    public init(
        fields: [ProviderField] = [], splitsThreeWays: Bool = false, stepRoutes: Bool = false,
        check: @escaping @Sendable (Canary, inout ValidationIssues) -> Void = { _, _ in }
    ) {
        self.fields = fields
        self.splitsThreeWays = splitsThreeWays
        self.stepRoutes = stepRoutes
        self.check = check
    }
}

/// A spec field only some providers use, as data.
public struct ProviderField: Sendable {
    /// The field's path: `spec.ingressRef`.
    public var field: String
    /// Who uses it, as a refusal names them: "the nginx provider".
    public var users: String
    /// Whether a Canary sets it.
    public var isSet: @Sendable (Canary) -> Bool

    public init(_ field: String, usedBy users: String, isSet: @escaping @Sendable (Canary) -> Bool) {
        self.field = field
        self.users = users
        self.isSet = isSet
    }
}
