import Foundation
import KubeClient
import KubeCore
import Synchronization

/// What a watch of the fleet's Canaries saw: each Canary's phase and weight over time, stamped on arrival.
final class FleetTracker: Sendable {
    struct Change: Sendable { var at: ContinuousClock.Instant; var phase: String; var weight: Int }
    private let changes = Mutex<[String: [Change]]>([:])

    /// Follows the Canaries in `default` until cancelled, re-watching from the last version when a watch ends.
    func follow(_ client: KubeClient) async throws {
        let canaries = client.resource(OperatorBenchmark.canaryResource, as: JSONValue.self)
        var version: String?
        while !Task.isCancelled {
            let stream = try await canaries.watch(namespace: "default", options: WatchOptions(resourceVersion: version))
            for try await event in stream {
                if case .bookmark(let resourceVersion) = event { version = resourceVersion }
                guard let object = event.object, let name = object[path: "metadata", "name"]?.stringValue else { continue }
                version = object[path: "metadata", "resourceVersion"]?.stringValue ?? version
                record(name, phase: object[path: "status", "phase"]?.stringValue ?? "", weight: object[path: "status", "canaryWeight"]?.intValue ?? 0)
            }
        }
    }

    func record(_ name: String, phase: String, weight: Int) {
        let now = ContinuousClock.now
        changes.withLock { changes in
            if let last = changes[name]?.last, last.phase == phase, last.weight == weight { return }
            changes[name, default: []].append(Change(at: now, phase: phase, weight: weight))
        }
    }

    /// How many Canaries are in `phase` now.
    func count(inPhase phase: String) -> Int { changes.withLock { $0.values.filter { $0.last?.phase == phase }.count } }

    /// The status changes each Canary went through since `instant`.
    func changes(since instant: ContinuousClock.Instant) -> [String: [Change]] {
        changes.withLock { $0.mapValues { $0.filter { $0.at >= instant } } }
    }

    /// The gaps between consecutive weight steps (weight above 0, changed) minus the interval, in ms, over every Canary.
    func stepDrift(since instant: ContinuousClock.Instant, interval: Duration) -> [Double] {
        changes(since: instant).values.flatMap { history -> [Double] in
            let steps = history.filter { $0.weight > 0 }.map(\.at)
            return zip(steps.dropFirst(), steps).map { later, earlier in (later - earlier - interval).milliseconds }
        }
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

/// The p-th percentile of `values` (nearest rank), 0 when empty.
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
