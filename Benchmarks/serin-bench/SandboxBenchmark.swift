import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeSandbox

/// Loads the sandbox with many Deployments and measures memory per object, list latency and watch fan-out.
struct SandboxBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "10,000 Deployments in the sandbox with 5 watchers.")

    @Option(help: "How many Deployments to create.")
    var count = 10_000

    @Option(help: "How many concurrent watchers.")
    var watchers = 5

    @Option(help: "How many updates to fan out to the watchers.")
    var updates = 2_000

    func run() async throws {
        let sandbox = try await Sandbox.start(.apiServerOnly)
        let client = sandbox.client()
        let deployments = client.resource(.deployments, as: JSONValue.self)
        let baseline = MemoryUsage.residentBytes()

        let createStart = ContinuousClock.now
        try await DeploymentFixture.create(count: count, in: client)
        let createSeconds = (ContinuousClock.now - createStart).seconds
        let perObject = Double(MemoryUsage.residentBytes() - baseline) / Double(count)
        print(
            "created \(count) Deployments in \(String(format: "%.1f", createSeconds)) s (\(Int(Double(count) / createSeconds))/s over HTTP, 8 clients)"
        )
        print(String(format: "memory per stored Deployment: %.1f KB (resident growth / count)", perObject / 1024))

        var fullList: [Double] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let list = try await deployments.list(namespace: "default")
            fullList.append((ContinuousClock.now - start).seconds)
            guard list.items.count == count else { throw ValidationError("listed \(list.items.count)") }
        }
        var paged: [Double] = []
        for _ in 0..<20 {
            let start = ContinuousClock.now
            _ = try await deployments.list(namespace: "default", options: ListOptions(limit: 500))
            paged.append((ContinuousClock.now - start).seconds)
        }
        print(String(format: "list all %d: median %.0f ms; first page of 500: median %.1f ms", count, median(fullList) * 1000, median(paged) * 1000))
        try await fanOut(sandbox: sandbox, client: client)
        try await client.shutdown()
        await sandbox.stop()
    }

    private func fanOut(sandbox: Sandbox, client: KubeClient) async throws {
        let deployments = client.resource(.deployments, as: JSONValue.self)
        let version = try await deployments.list(namespace: "default", options: ListOptions(limit: 1)).metadata.resourceVersion
        let expected = updates
        let start = ContinuousClock.now
        let elapsed = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<watchers {
                let stream = try await deployments.watch(namespace: "default", options: WatchOptions(resourceVersion: version))
                group.addTask {
                    var seen = 0
                    for try await event in stream {
                        if case .modified = event { seen += 1 }
                        if seen == expected { break }
                    }
                    return (ContinuousClock.now - start).seconds
                }
            }
            for index in 0..<updates {
                _ = try await deployments.patch(
                    "service-\(index % count)", namespace: "default", patch: .merge(["metadata": ["annotations": ["bench": .string("\(index)")]]]))
            }
            var slowest = 0.0
            for try await seconds in group { slowest = max(slowest, seconds) }
            return slowest
        }
        let delivered = Double(updates * watchers)
        print(
            String(
                format: "watch fan-out: %d updates to %d watchers, all delivered in %.2f s: %.0f events/s", updates, watchers, elapsed,
                delivered / elapsed))
        print(String(format: "peak resident memory: %.0f MB", Double(MemoryUsage.peakResidentBytes()) / 1e6))
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
