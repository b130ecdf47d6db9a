import CanaryAPI
import CanaryCore

/// The built-in metrics of a StatefulSet Canary: the canary's pods share the set's name with the others, so
/// they are told apart by their revision, `{{ revision }}` (the update revision, which the StatefulSet
/// controller writes on each pod as the `controller-revision-hash` label). Prometheus carries the label as
/// `controller_revision_hash` when its pod scrape maps pod labels (`labelmap` of
/// `__meta_kubernetes_pod_label_(.+)`, as Istio's and the common `kubernetes-pods` scrape configs do).
public enum StatefulSetQueries {
    /// Over Istio's standard metrics (`istio_requests_total`, a histogram in ms), as Flagger's Istio queries
    /// with the revision added.
    public static let istio = BuiltinQueries(
        successRate: """
            sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}",controller_revision_hash="{{ revision }}",response_code!~"5.*"}[{{ interval }}])) \
            / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}",controller_revision_hash="{{ revision }}"}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}",controller_revision_hash="{{ revision }}"}[{{ interval }}])) by (le))
            """,
        requestCount: """
            sum(increase(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}",controller_revision_hash="{{ revision }}"}[{{ interval }}]))
            """)

    /// Over the application's own `http_request_duration_seconds` histogram (seconds), as Flagger's
    /// `kubernetes` provider queries with the revision instead of the pod name.
    public static let application = BuiltinQueries(
        successRate: """
            sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",controller_revision_hash="{{ revision }}",status!~"5.*"}[{{ interval }}])) \
            / sum(rate(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",controller_revision_hash="{{ revision }}"}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{kubernetes_namespace="{{ namespace }}",controller_revision_hash="{{ revision }}"}[{{ interval }}])) by (le))
            """,
        durationToMilliseconds: 1000,
        requestCount: """
            sum(increase(http_request_duration_seconds_count{kubernetes_namespace="{{ namespace }}",controller_revision_hash="{{ revision }}"}[{{ interval }}]))
            """)

    /// Istio's telemetry for the `istio` provider; the application's own for every other (a mesh whose
    /// proxies do not report per pod revision).
    public static func queries(for provider: MeshProvider) -> BuiltinQueries { provider == .istio ? istio : application }
}
