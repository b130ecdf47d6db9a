import Foundation
import LocalCluster

/// One or more `serin operator` processes measured as one: with `--shards M`, replica `i` runs `--shard i/M`.
/// Counters and CPU add up over the replicas; memory is reported in all and for the largest.
final class OperatorReplicas: Sendable {
    let replicas: [OperatorProcess]

    init(binary: String, kubeconfig: String, shards: Int, arguments: [String], wrapper: [String] = []) throws {
        replicas = try (0..<max(shards, 1)).map { index in
            let sharding = shards > 1 ? ["--shard", "\(index)/\(shards)", "--leader-election-namespace", "default"] : []
            return try OperatorProcess(
                binary: binary, kubeconfig: kubeconfig, port: try PrometheusServer.freePort(), arguments: sharding + arguments, wrapper: wrapper)
        }
    }

    var started: ContinuousClock.Instant { replicas.map(\.started).min() ?? .now }

    /// Waits until every replica is ready and, when sharded, leads its own shard; returns the time since the first started.
    func waitUntilReady() async throws -> Duration {
        for replica in replicas { _ = try await replica.waitUntilReady() }
        guard replicas.count > 1 else { return ContinuousClock.now - started }
        let deadline = ContinuousClock.now + .seconds(120)
        for (index, replica) in replicas.enumerated() {
            while await replica.get("/readyz")?.body.contains("leading shard \(index) of \(replicas.count)") != true {
                guard ContinuousClock.now < deadline else { throw BenchmarkFailure("replica \(index) never led shard \(index)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return ContinuousClock.now - started
    }

    func probeHealth() async {
        await withDiscardingTaskGroup { group in
            for replica in replicas { group.addTask { await replica.probeHealth() } }
        }
    }

    var healthProbes: (count: Int, failed: Int, slowest: Duration) {
        replicas.map(\.healthProbes).reduce((0, 0, Duration.zero)) { ($0.0 + $1.count, $0.1 + $1.failed, max($0.2, $1.slowest)) }
    }

    func counter(_ name: String) async throws -> Double {
        var total = 0.0
        for replica in replicas { total += try await replica.counter(name) }
        return total
    }

    /// A gauge by its one label, summed over the replicas.
    func gauge(_ name: String, by label: String) async throws -> [String: Double] {
        var total: [String: Double] = [:]
        for replica in replicas { total.merge(try await replica.gauge(name, by: label), uniquingKeysWith: +) }
        return total
    }

    /// What the caches hold, by resource: objects and encoded bytes (`serin_cached_objects`, `serin_cached_bytes`).
    func cacheSizes() async throws -> String {
        let (objects, bytes) = (try await gauge("serin_cached_objects", by: "resource"), try await gauge("serin_cached_bytes", by: "resource"))
        return objects.filter { $0.value > 0 }.sorted { (bytes[$0.key] ?? 0) > (bytes[$1.key] ?? 0) }.map { resource, count in
            let held = bytes[resource] ?? 0
            return String(format: "%@ %.0f (%.1f MB, %.0f B each)", resource, count, held / 1e6, count > 0 ? held / count : 0)
        }.joined(separator: ", ")
    }

    /// RSS and VmHWM summed over the replicas.
    var memory: (resident: Double, peak: Double) {
        replicas.map(\.memory).reduce((0, 0)) { ($0.0 + $1.resident, $0.1 + $1.peak) }
    }

    /// The largest replica's RSS.
    var largestResident: Double { replicas.map(\.memory.resident).max() ?? 0 }

    /// Each replica's RSS, in MiB, for a sharded run (empty for one replica).
    var eachResident: String {
        replicas.count > 1 ? " (" + replicas.map { String(format: "%.1f", $0.memory.resident) }.joined(separator: " + ") + " MiB)" : ""
    }

    var cpuSeconds: Double { replicas.map(\.cpuSeconds).reduce(0, +) }

    func stop() async throws {
        for replica in replicas { try await replica.stop() }
    }
}
