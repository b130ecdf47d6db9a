import Foundation
import KubeSandbox
import LocalCluster

/// Carries a sandbox's traffic into a ``GraphiteServer`` the way statsd flushes counters: every second, for
/// every workload that has answered requests, how many it answered in that second and how many of them were
/// 5xx, as `sandbox.<namespace>.<workload>.requests.total` and `.requests.errors`.
///
/// ```swift
/// let feed = GraphiteTrafficFeed(from: sandbox.metrics, to: graphite)
/// try await feed.announce(namespace: "test", workload: "podinfo")
/// try await feed.whileRunning { /* a rollout judged by Graphite */ }
/// ```
public struct GraphiteTrafficFeed: Sendable {
    let metrics: TrafficMetrics
    let graphite: GraphiteServer
    let period: Duration

    public init(from metrics: TrafficMetrics, to graphite: GraphiteServer, every period: Duration = .seconds(1)) {
        self.metrics = metrics
        self.graphite = graphite
        self.period = period
    }

    /// The series of a workload's requests: `leaf` is `total` or `errors`.
    public static func path(namespace: String, workload: String, _ leaf: String) -> String {
        "sandbox.\(namespace).\(workload).requests.\(leaf)"
    }

    /// Writes zeros for a workload that has had no traffic yet and waits (at most `timeout`) until Graphite
    /// reads its series: carbon makes a brand-new series' file in its writer loop, up to about two seconds
    /// after its first point, and until then a query of it has no values.
    public func announce(namespace: String, workload: String, timeout: Duration = .seconds(30)) async throws {
        let paths = ["total", "errors"].map { GraphiteTrafficFeed.path(namespace: namespace, workload: workload, $0) }
        let now = Int(Date().timeIntervalSince1970)
        try await graphite.write(paths.map { GraphiteServer.Point(path: $0, value: 0, timestamp: now) })
        let deadline = ContinuousClock.now + timeout
        for path in paths {
            while try await !graphite.hasSeries(path) {
                guard ContinuousClock.now < deadline else {
                    throw SetupFailure(description: "failed to announce \(path) to Graphite: not readable after \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Feeds Graphite while `body` runs, then stops; rethrows what stopped the feed early, if anything did.
    public func whileRunning<T>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            let result = try await body()
            group.cancelAll()
            while let next = await group.nextResult() {
                if case .failure(let error) = next, !(error is CancellationError) { throw error }
            }
            return result
        }
    }

    /// Writes each period's counts until cancelled.
    func run() async throws {
        var previous = await metrics.requestsByWorkload()
        while true {
            try await Task.sleep(for: period)
            let current = await metrics.requestsByWorkload()
            let points = GraphiteTrafficFeed.points(since: previous, now: current, timestamp: Int(Date().timeIntervalSince1970))
            // Cancelled mid-write (the body is done): whatever the write reports then is the cancellation's doing.
            do { if !points.isEmpty { try await graphite.write(points) } } catch {
                if Task.isCancelled { return }
                throw error
            }
            previous = current
        }
    }

    /// The counts each workload added between two readings of its totals (a workload new in `now` counts
    /// from zero). Pure.
    static func points(
        since previous: [TrafficMetrics.WorkloadRequests], now current: [TrafficMetrics.WorkloadRequests], timestamp: Int
    ) -> [GraphiteServer.Point] {
        let before = Dictionary(previous.map { ([$0.namespace, $0.workload], $0) }, uniquingKeysWith: { first, _ in first })
        return current.flatMap { workload -> [GraphiteServer.Point] in
            let earlier = before[[workload.namespace, workload.workload]]
            let counts = [("total", workload.total - (earlier?.total ?? 0)), ("errors", workload.serverErrors - (earlier?.serverErrors ?? 0))]
            return counts.map { leaf, count in
                GraphiteServer.Point(
                    path: path(namespace: workload.namespace, workload: workload.workload, leaf), value: max(count, 0), timestamp: timestamp)
            }
        }
    }
}
