import CoreMetrics
import Metrics

/// API request metrics by verb and HTTP code (0 when no answer came back).
struct RequestMetrics: Sendable {
    let instruments: InstrumentCache

    init(factory: any MetricsFactory) { instruments = InstrumentCache(factory: factory) }

    func record(verb: String, code: Int, duration: Duration) {
        let dimensions = [("verb", verb), ("code", String(code))]
        instruments.counter("serin_kube_requests_total", dimensions).increment()
        let (seconds, attoseconds) = duration.components
        instruments.timer("serin_kube_request_duration_seconds", dimensions)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
