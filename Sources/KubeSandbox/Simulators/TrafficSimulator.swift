import Foundation
import KubeAPIServer
import KubeCore

/// Sends synthetic requests through every mesh's and ingress's routing objects (``ServiceResolver/syntheticRoutings()``),
/// split by their live weights, and records them in ``TrafficMetrics`` as the meshes' proxies and the
/// applications count them.
///
/// Each routing object gets the `sandbox.serin.dev/rps` of the workloads behind it (the highest one), or
/// ``defaultRequestsPerSecond``. Counts are exact fractions of the rate, so success rates are deterministic;
/// latencies are drawn from each workload's distribution with a seeded generator.
public actor TrafficSimulator {
    public static let defaultRequestsPerSecond = 10.0

    private let store: ObjectStore
    private let meshes: [SimulatedMesh]
    private let metrics: TrafficMetrics
    private let tick: Duration
    private var generator = SplitMix(seed: 42)

    public init(store: ObjectStore, meshes: [SimulatedMesh], metrics: TrafficMetrics, tick: Duration = .milliseconds(250)) {
        self.store = store
        self.meshes = meshes
        self.metrics = metrics
        self.tick = tick
    }

    /// Generates traffic every tick until cancelled.
    public func run() async {
        let resolver = ServiceResolver(store: store, meshes: meshes)
        var last = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { return }
            let now = ContinuousClock.now
            let seconds = Double((now - last).components.attoseconds) / 1e18 + Double((now - last).components.seconds)
            last = now
            await step(seconds: seconds, resolver: resolver)
        }
    }

    /// Sends `seconds` worth of traffic through every routing object the resolver knows (``ServiceResolver/syntheticRoutings()``).
    func step(seconds: Double, resolver: ServiceResolver) async {
        let routings = await resolver.syntheticRoutings()
        for routing in routings {
            let destinations = routing.destinations
            let rate = destinations.flatMap(\.backends).compactMap(\.behaviour.requestsPerSecond).max() ?? TrafficSimulator.defaultRequestsPerSecond
            let total = destinations.reduce(0) { $0 + $1.weight }
            guard total > 0 else { continue }
            for destination in destinations where destination.weight > 0 && !destination.backends.isEmpty {
                let share = rate * seconds * destination.weight / total / Double(destination.backends.count)
                for backend in destination.backends { await send(share, to: backend, via: destination.via) }
            }
            // Mirrored copies reach the mirror's workloads (and their metrics); their answers go nowhere.
            if let mirror = routing.mirror, mirror.percent > 0, !mirror.backends.isEmpty {
                let share = rate * seconds * min(mirror.percent, 100) / 100 / Double(mirror.backends.count)
                for backend in mirror.backends { await send(share, to: backend) }
            }
        }
    }

    private func send(_ requests: Double, to backend: ServiceResolver.Backend, via hop: ProxyHop? = nil) async {
        let target = TrafficMetrics.Destination(
            workload: backend.workload, namespace: backend.namespace, serviceName: backend.serviceName, revision: backend.revision)
        let samples = max(1, Int(requests.rounded()))
        let behaviour = backend.behaviour
        for _ in 0..<samples {
            let latency = behaviour.sampleLatency(using: &generator)
            let each = requests / Double(samples)
            await metrics.record(target, code: 200, latencyMilliseconds: latency, count: each * (1 - behaviour.errorRatio))
            if let hop { await metrics.record(hop, code: 200, latencyMilliseconds: latency, count: each * (1 - behaviour.errorRatio)) }
            if behaviour.errorRatio > 0 {
                await metrics.record(target, code: 500, latencyMilliseconds: latency, count: each * behaviour.errorRatio)
                if let hop { await metrics.record(hop, code: 500, latencyMilliseconds: latency, count: each * behaviour.errorRatio) }
            }
        }
    }
}
