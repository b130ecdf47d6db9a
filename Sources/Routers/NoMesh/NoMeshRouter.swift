import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Flagger's `kubernetes` provider: no mesh, so no weighted split. Users reach the apex Service, which always
/// selects the primary; the canary is tested through `<svc>-canary` (the load tester) during blue/green
/// iterations, and the release reaches users when the primary is promoted. Nothing is written: the routes
/// are always "all primary". An operator started with `--mesh-provider kubernetes` needs no mesh CRD.
public struct NoMeshRouter: TrafficRouter {
    public static let registration = RouterRegistration(provider: .kubernetes, resources: [], validation: validation) { _, _, _ in NoMeshRouter() }

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
        durationToMilliseconds: 1000,
        requestCount: """
            sum(increase(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[{{ interval }}]))
            """)

    public init() {}

    public var queries: BuiltinQueries { NoMeshRouter.queries }

    public var splitsTraffic: Bool { false }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {}

    public func routes(_ canary: Canary) -> Routes? { .allPrimary }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {}

    public func finalize(_ canary: Canary) async throws {}
}
