import CanaryAPI
import CanaryCore
import KubeCore

/// Moves a Canary's traffic between its primary and canary workloads through one mesh or ingress.
///
/// One conforming type per provider, one file each, registered in ``RouterRegistry``; the reconciler
/// calls only this protocol.
///
/// ## Guarantees a router gives
/// - ``reconcile(_:owner:)`` is idempotent and keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Reads come from the caches of the resources its registration declares; writes are patches of the
///   fields it owns, so a field Serin does not model survives.
public protocol TrafficRouter: Sendable {
    /// The queries behind the built-in metrics for this provider's telemetry.
    var queries: BuiltinQueries { get }

    /// Whether it moves traffic by weight; `false` for a router that only has the apex Service.
    var splitsTraffic: Bool { get }

    /// Creates or corrects the routing objects, owned by the Canary.
    func reconcile(_ canary: Canary, owner: OwnerReference) async throws

    /// The live weights; `nil` while the routing object has not been observed (the decision waits).
    func routes(_ canary: Canary) -> Routes?

    /// Moves traffic to `routes`.
    func setRoutes(_ canary: Canary, _ routes: Routes) async throws

    /// Hands routing back when the Canary is deleted with `revertOnDeletion`.
    func finalize(_ canary: Canary) async throws

    /// Whether the routing objects carry traffic as written: a router whose data plane reports on its
    /// objects (Gateway API's `Accepted`) says when it has not caught up or refuses them. No step is taken
    /// until it is ``RoutingReadiness/ready``.
    func readiness(_ canary: Canary) -> RoutingReadiness
}

extension TrafficRouter {
    public func readiness(_ canary: Canary) -> RoutingReadiness { .ready }
}

/// What the data plane says of a Canary's routing objects.
public enum RoutingReadiness: Sendable, Equatable {
    case ready
    /// The data plane has not looked at the latest version yet: wait a moment, quietly.
    case pending(String)
    /// The data plane refuses the routing (a Gateway that does not admit the route): a Warning, retried.
    case refused(String)
}
