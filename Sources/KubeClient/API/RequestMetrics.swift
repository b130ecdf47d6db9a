import CoreMetrics
import Metrics

/// API request metrics by verb and HTTP code (0 when no answer came back).
struct RequestMetrics: Sendable {
    let factory: any MetricsFactory

    func record(verb: String, code: Int, duration: Duration) {
        let dimensions = [("verb", verb), ("code", String(code))]
        Counter(label: "serin_kube_requests_total", dimensions: dimensions, factory: factory).increment()
        let (seconds, attoseconds) = duration.components
        Metrics.Timer(label: "serin_kube_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
