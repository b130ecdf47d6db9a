import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Flagger's `kubernetes` provider: no mesh, so no weighted split. Traffic follows the apex Service, which
/// selects the primary; blue/green switches it by promoting. Weights are never written, and the routes are
/// "all primary" until blue/green iterations start, then "all canary" (the canary Service takes the tests).
///
/// Canaries with this provider are refused until blue/green (`analysis.iterations`) lands; the router is
/// registered so an operator started with `--mesh-provider kubernetes` runs without any mesh CRD.
public struct NoMeshRouter: TrafficRouter {
    public static let registration = RouterRegistration(provider: .kubernetes, resources: []) { _, _ in NoMeshRouter() }

    /// Flagger's built-in queries for the `kubernetes` and Gateway API providers: the application's own
    /// `http_request_duration_seconds` histogram (seconds).
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)",status!~"5.*"}[{{ interval }}])) \
            / sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[{{ interval }}])) by (le))
            """,
        durationToMilliseconds: 1000)

    public init() {}

    public var queries: BuiltinQueries { NoMeshRouter.queries }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {}

    public func routes(_ canary: Canary) -> Routes? {
        (canary.status?.iterations ?? 0) > 0 ? Routes(primary: 0, canary: 100) : Routes(primary: 100, canary: 0)
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {}

    public func finalize(_ canary: Canary) async throws {}
}
