import KubeCore

/// A resource a component reads from a cache, and what the operator must do for it: watch it, check its
/// CRD at start-up, and reconcile an object's owner when an object it owns changes.
///
/// Components (routers, targets) declare these; the operator builds one reflector per distinct resource,
/// so an operator runs only the watches its configured components need.
public struct WatchedResource: Sendable, Hashable {
    public var resource: KubeResource
    /// The CRD that serves it (`virtualservices.networking.istio.io`); `nil` for a built-in resource.
    public var crd: String?
    /// Whether the component creates objects of it owned by the primary kind (an `owns` trigger).
    public var owned: Bool

    public init(_ resource: KubeResource, crd: String? = nil, owned: Bool = false) {
        self.resource = resource
        self.crd = crd
        self.owned = owned
    }
}
