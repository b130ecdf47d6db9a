import Foundation
import KubeClient
import KubeCore
import Synchronization

extension FleetBenchmark {
    /// A new image on every target at once (8 writers), then every Canary through its steps to `Succeeded`.
    func wave(_ client: KubeClient, serin: OperatorReplicas, tracker: FleetTracker) async throws {
        let requestsBefore = try await serin.counter("serin_kube_requests_total")
        let reconcilesBefore = try await serin.counter("serin_reconcile_total")
        let cpuBefore = serin.cpuSeconds
        let ownBefore = Self.ownCPUSeconds
        let started = ContinuousClock.now
        let peak = Mutex<Double>(0)
        let sampling = Task {
            while !Task.isCancelled {
                let resident = serin.memory.resident
                peak.withLock { $0 = max($0, resident) }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        let counter = try callgrind.map { try CallgrindCounter(outputFile: $0, pids: serin.replicas.map(\.process.processIdentifier)) }
        try counter?.start()
        let scaleUps = try await patchAll(client)
        print(
            String(
                format: "new image → canary scaled up, %d Canaries patched %@: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                scaleUps.count, spread > 0 ? String(format: "over %.0f s", spread) : "at once", percentile(scaleUps, 0.5), percentile(scaleUps, 0.99),
                scaleUps.max() ?? 0))
        try await waitUntil(timeout: .seconds(interval * 12 + canaries / 20)) { tracker.count(inPhase: "Succeeded") == canaries }
        let took = ContinuousClock.now - started
        let instructions = try counter?.stop()
        sampling.cancel()
        let cpu = serin.cpuSeconds - cpuBefore
        let own = Self.ownCPUSeconds - ownBefore
        let requests = try await serin.counter("serin_kube_requests_total") - requestsBefore
        let reconciles = try await serin.counter("serin_reconcile_total") - reconcilesBefore
        let steps = tracker.changes(since: started).values.reduce(0) { $0 + $1.count }
        let drift = tracker.stepDrift(since: started, interval: .seconds(interval))
        print("wave: all \(canaries) Succeeded \(format(took)) after the first new image; \(steps) status steps")
        print(
            String(
                format: "step drift from the %d s interval, %d steps: p50 %+.1f ms, p99 %+.1f ms, max %+.1f ms", interval, drift.count,
                percentile(drift, 0.5), percentile(drift, 0.99), drift.max() ?? 0))
        print(
            String(
                format: "per Canary per step: %.2f API requests, %.2f reconciles, %.2f ms CPU; operator RSS during the wave: peak %@ (VmHWM %@)",
                requests / Double(steps), reconciles / Double(steps), cpu * 1000 / Double(steps), mib(peak.withLock { $0 }),
                mib(serin.memory.peak)))
        print(
            String(
                format: "per Canary per step: %.2f ms CPU of the sandbox and the benchmark's own watchers (this process)", own * 1000 / Double(steps))
        )
        if let instructions {
            print(String(format: "callgrind: %.0f instructions per step (%.3g during the wave)", instructions / Double(steps), instructions))
        }
    }

    /// The user and system CPU time of this process (the sandbox, the tracker's watches, the writers), in seconds.
    static var ownCPUSeconds: Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Patches every target's image from 8 writers; returns each send → canary-scaled-up latency, in ms.
    func patchAll(_ client: KubeClient) async throws -> [Double] {
        let deployments = client.resource(.deployments, as: JSONValue.self)
        let sent = SendTimes()
        let watcher = try await sent.watchScaleUps(deployments, expected: canaries)
        let count = canaries
        let start = ContinuousClock.now
        let gap = Duration.seconds(spread) / max(canaries, 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in stride(from: writer, to: count, by: 8) {
                        if gap > .zero { try await Task.sleep(until: start + gap * index, clock: .continuous) }
                        try await sent.newImage(on: "app-\(index)", deployments)
                    }
                }
            }
            try await group.waitForAll()
        }
        return try await watcher.value
    }
}

/// When each target's new image was sent, by name, and how long until its canary was scaled up.
final class SendTimes: Sendable {
    let times = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Puts image `app:2` on the target `name`, noting when.
    func newImage(on name: String, _ deployments: ResourceClient<JSONValue>) async throws {
        times.withLock { $0[name] = ContinuousClock.now }
        _ = try await deployments.patch(
            name, namespace: "default",
            patch: .strategicMerge(
                ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "app:2"]]]]]]))
    }

    /// Watches the Deployments from now on; the task ends with each sent target's send → scaled-up
    /// latency (ms), once `expected` of them have been scaled up.
    func watchScaleUps(_ deployments: ResourceClient<JSONValue>, expected: Int) async throws -> Task<[Double], any Error> {
        let version = try await deployments.list(namespace: "default", options: ListOptions(limit: 1)).metadata.resourceVersion
        let stream = try await deployments.watch(namespace: "default", options: WatchOptions(resourceVersion: version))
        return Task {
            var latencies: [Double] = []
            var seen: Set<String> = []
            for try await event in stream {
                guard case .modified(let object) = event, let name = object[path: "metadata", "name"]?.stringValue,
                    (object[path: "spec", "replicas"]?.intValue ?? 0) > 0, !seen.contains(name),
                    let start = self.times.withLock({ $0[name] })
                else { continue }
                seen.insert(name)
                latencies.append((ContinuousClock.now - start).milliseconds)
                if latencies.count == expected { break }
            }
            return latencies
        }
    }
}
