import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Logging
import Synchronization

/// A reflector cache of many Deployments and a controller under a burst of updates.
struct RuntimeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime", abstract: "Cache memory, relist time and update-to-reconcile latency.")

    @Option(help: "How many Deployments to cache.")
    var count = 10_000

    @Option(help: "How many updates in the burst (to distinct Deployments).")
    var burst = 1_000

    static let sentAnnotation = "bench.serin.dev/sent"

    func run() async throws {
        let sandbox = try await Sandbox.start(.apiServerOnly)
        let client = sandbox.client()
        try await DeploymentFixture.create(count: count, in: client)

        var quiet = Logger(label: "bench")
        quiet.logLevel = .error
        let before = MemoryUsage.residentBytes()
        let started = ContinuousClock.now
        let reflector = Reflector<DynamicObject>(client: client, resource: .deployments, namespace: "default", logger: quiet)
        let latencies = Mutex<[Double]>([])
        let reconciler = ReconcilerFunction { request, _ in
            if let sent = reflector.cache.get(request)?.metadata.annotations?[RuntimeBenchmark.sentAnnotation].flatMap(Double.init) {
                latencies.withLock { $0.append(Date().timeIntervalSince1970 - sent) }
            }
            return .awaitChange
        }
        let controller = Controller(
            name: "bench", primary: reflector, reconciler: reconciler, config: ControllerConfig(concurrency: 4), logger: quiet)
        let services = [Task { try await reflector.run() }, Task { try await controller.run() }]
        await reflector.cache.waitUntilSynced()
        let relist = (ContinuousClock.now - started).seconds
        let perObject = Double(MemoryUsage.residentBytes() - before) / Double(count)
        print(String(format: "relist of %d Deployments (paged by 500) into the cache: %.2f s", count, relist))
        print(String(format: "memory per cached Deployment: %.1f KB (resident growth / count, decoded lossless JSON)", perObject / 1024))
        try await Task.sleep(for: .seconds(2))  // let the initial reconcile of every object drain

        try await sendBurst(client)
        while latencies.withLock({ $0.count }) < burst { try await Task.sleep(for: .milliseconds(20)) }
        let sorted = latencies.withLock { $0 }.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
        print(
            String(
                format: "update → reconcile latency over a burst of %d updates: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                burst, percentile(0.5), percentile(0.99), sorted.last! * 1000))
        for service in services { service.cancel() }
        try await client.shutdown()
        await sandbox.stop()
    }

    /// Patches `burst` distinct Deployments from 8 concurrent clients, stamping each with its send time.
    private func sendBurst(_ client: KubeClient) async throws {
        let deployments = client.resource(.deployments, as: JSONValue.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: burst, by: 8) {
                        let sent = String(Date().timeIntervalSince1970)
                        _ = try await deployments.patch(
                            "service-\(index)", namespace: "default",
                            patch: .merge(["metadata": ["annotations": [.init(RuntimeBenchmark.sentAnnotation): .string(sent)]]]))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
