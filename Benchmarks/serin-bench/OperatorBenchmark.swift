import ArgumentParser
import CanaryController
import Foundation
import KubeClient
import KubeCore
import KubeSandbox
import Logging
import MetricsTestKit
import Synchronization

/// The operator against the sandbox: reaction latency, idle cost and step drift.
struct OperatorBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "New image → canary scaled up (p50/p99), idle API requests, analysis step drift.")

    @Option(help: "How many Canaries.")
    var canaries = 100

    @Option(help: "How long to count API requests while every Canary is idle, in seconds.")
    var idleSeconds = 30

    @Option(help: "The analysis interval of the drift measurement, in seconds.")
    var interval = 2

    static let crds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("crds")

    func run() async throws {
        var options = Sandbox.Options()
        options.simulateTraffic = false
        let sandbox = try await Sandbox.start(options)
        let setup = sandbox.client()
        try await installCRDs(setup)
        for index in 0..<canaries { try await create(index, client: setup) }
        let metrics = TestMetrics()
        let client = KubeClient(configuration: sandbox.clientConfiguration, metricsFactory: metrics)
        var operatorOptions = OperatorOptions(metricsServer: "http://127.0.0.1:1")
        operatorOptions.minimumInterval = .milliseconds(100)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let canaryOperator = CanaryOperator(client: client, options: operatorOptions, logger: logger)
        let running = Task { try await canaryOperator.run() }
        try await waitForPhase("Initialized", client: setup)
        try await Task.sleep(for: .seconds(2))

        let before = requestCount(metrics)
        try await Task.sleep(for: .seconds(idleSeconds))
        let idle = requestCount(metrics) - before
        print(
            String(
                format: "idle: %d API requests in %d s with %d initialized canaries (%.2f per canary per minute)",
                idle, idleSeconds, canaries, Double(idle) * 60 / Double(idleSeconds) / Double(canaries)))

        let latencies = try await measureScaleUp(setup)
        print(
            String(
                format: "new image → canary scaled up, over %d canaries: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                latencies.count, percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.max() ?? 0))
        let drift = try await measureDrift(setup)
        print(
            String(
                format: "analysis step drift (interval %d s, %d steps): mean %+.1f ms, max %+.1f ms", interval, drift.count,
                drift.reduce(0, +) / Double(max(drift.count, 1)), drift.max() ?? 0))
        running.cancel()
        try await client.shutdown()
        try await setup.shutdown()
        await sandbox.stop()
    }

    private func requestCount(_ metrics: TestMetrics) -> Int {
        metrics.counters.filter { $0.label == "serin_kube_requests_total" }.reduce(0) { $0 + Int($1.totalValue) }
    }
}
