import CanaryAPI
import CanaryCore
import KubeCore
import Routers
import Targets

/// The router of every StatefulSet Canary, whatever its provider: the set's partition
/// (``Targets/StatefulSetTarget/setRoutes(_:_:)``). The provider only chooses whose telemetry the built-in
/// metrics read (``Targets/StatefulSetQueries``).
struct StatefulSetRouter: TrafficRouter {
    let target: StatefulSetTarget
    let queries: BuiltinQueries

    var splitsTraffic: Bool { true }

    /// The partition needs no routing object.
    func reconcile(_ canary: Canary, owner: OwnerReference) async throws {}

    func routes(_ canary: Canary) -> Routes? { target.routes(canary) }

    func setRoutes(_ canary: Canary, _ routes: Routes) async throws { try await target.setRoutes(canary, routes) }

    func finalize(_ canary: Canary) async throws { try await target.release(canary) }
}
