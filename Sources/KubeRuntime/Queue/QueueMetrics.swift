import KubeCore
import CoreMetrics
import Metrics

/// The metrics of one work queue: depth and how long keys wait before being processed.
public struct QueueMetrics: Sendable {
    let depth: Gauge
    let latency: Metrics.Timer

    public init(name: String, factory: any MetricsFactory = MetricsSystem.factory) {
        depth = Gauge(label: "serin_workqueue_depth", dimensions: [("name", name)], factory: factory)
        latency = Metrics.Timer(label: "serin_workqueue_queue_duration_seconds", dimensions: [("name", name)], factory: factory)
    }

    func recordDepth(_ depth: Int) { self.depth.record(depth) }

    func recordWait(_ duration: Duration) { latency.recordNanoseconds(duration.clampedNanoseconds) }
}
