import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster

/// N Canaries and their Deployments, `serin operator` as its own process, and all N rolling out at once.
struct FleetBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract:
            "A fleet of N Canaries: start → ready, all Initialized, a rollout wave of all N (scale-up latency, step drift, RSS, CPU, API requests).")

    @Option(help: "The serin binary (build it with -c release).")
    var binary: String

    @Option(help: "How many Canaries (each with its own Deployment).")
    var canaries = 1000

    @Option(help: "The Canaries' analysis interval, in seconds.")
    var interval = 10

    @Option(help: "How long the initialized fleet idles while the operator's API requests are counted, in seconds.")
    var idleSeconds = 10

    @Option(help: "How long the fleet rests after the wave before its memory is read, in seconds.")
    var settleSeconds = 70

    @Option(help: "Spread the wave's new images evenly over this many seconds (0: all at once, as fast as 8 writers go).")
    var spread = 0.0

    @Flag(help: "Print the JSON size of each kind the operator caches, once the fleet is initialised and again after the wave.")
    var sizes = false

    @Option(help: "Write every API write the sandbox serves to this file, as JSON lines.")
    var auditLog: String?

    @Option(help: "Run this many operator replicas, replica i with --shard i/N (1: one replica, unsharded).")
    var shards = 1

    @Option(
        help: ArgumentHelp(
            "Run the operator under valgrind's callgrind, counting its instructions during the wave only, into this file; prints the instructions per step.",
            discussion: "Valgrind runs the operator about fifty times slower: use a small fleet (about 20 Canaries)."))
    var callgrind: String?

    @Option(parsing: .remaining, help: "More flags for serin operator (after --).")
    var operatorFlags: [String] = []

    func run() async throws {
        var options = Sandbox.Options()
        options.simulateTraffic = false
        options.auditLogPath = auditLog
        let sandbox = try await Sandbox.start(options)
        let setup = sandbox.client()
        try await OperatorBenchmark().installCRDs(setup)
        let created = ContinuousClock.now
        try await createFleet(setup)
        print("fleet: \(canaries) Canaries and Deployments created in \(format(ContinuousClock.now - created))")
        let tracker = FleetTracker()
        let following = Task { try await tracker.follow(setup) }
        let wrapper = callgrind.map { CallgrindCounter.wrapper(outputFile: $0) } ?? []
        let serin = try OperatorReplicas(
            binary: binary, kubeconfig: sandbox.kubeconfigPath, shards: shards, arguments: operatorFlags, wrapper: wrapper)
        let probing = Task { await serin.probeHealth() }
        let ready = try await serin.waitUntilReady()
        print("start → ready: \(format(ready))\(shards > 1 ? " (each of \(shards) replicas leading its own shard)" : "")")
        try await waitUntil(timeout: .seconds((callgrind == nil ? 120 : 600) + canaries / 10)) { tracker.count(inPhase: "Initialized") == canaries }
        print(
            "start → all \(canaries) Initialized: \(format(ContinuousClock.now - serin.started)), RSS \(mib(serin.memory.resident))"
                + (shards > 1 ? " in all, \(mib(serin.largestResident)) for the largest replica" : ""))
        if sizes { try await printSizes(setup) }
        try await Task.sleep(for: .seconds(2))
        let idleBefore = try await serin.counter("serin_kube_requests_total")
        try await Task.sleep(for: .seconds(idleSeconds))
        let idleRequests = try await serin.counter("serin_kube_requests_total") - idleBefore
        print(
            String(
                format: "idle: %.0f API requests in %d s with %d initialized Canaries; RSS %@", idleRequests, idleSeconds, canaries,
                mib(serin.memory.resident)) + serin.eachResident)
        try await wave(setup, serin: serin, tracker: tracker)
        // Every Canary has rolled out once (its journal, its primary's new template): what the fleet holds at
        // rest, once the operator has given free memory back (every minute by default).
        try await Task.sleep(for: .seconds(settleSeconds))
        print("idle \(settleSeconds) s after the wave: RSS \(mib(serin.memory.resident))\(serin.eachResident)")
        print("cached: \(try await serin.cacheSizes())")
        if sizes { try await printSizes(setup) }
        let health = serin.healthProbes
        print("/healthz: \(health.count) probes, \(health.failed) failed or unanswered within 1 s, slowest \(format(health.slowest))")
        probing.cancel()
        following.cancel()
        try await serin.stop()
        try await setup.shutdown()
        await sandbox.stop()
    }

    /// Creates the Deployments and Canaries from 8 concurrent writers.
    func createFleet(_ client: KubeClient) async throws {
        let steps = OperatorBenchmark()
        let (count, interval) = (canaries, interval)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in stride(from: writer, to: count, by: 8) {
                        try await steps.create(index, client: client, interval: "\(interval)s", maxWeight: 60, stepWeight: 20)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The JSON bytes per object of each kind the operator caches, as the API serves them.
    func printSizes(_ client: KubeClient) async throws {
        let resources: [KubeResource] = [
            OperatorBenchmark.canaryResource, .deployments, .services,
            KubeResource(group: "networking.istio.io", version: "v1beta1", kind: "VirtualService", plural: "virtualservices", namespaced: true),
            KubeResource(group: "networking.istio.io", version: "v1beta1", kind: "DestinationRule", plural: "destinationrules", namespaced: true),
        ]
        for resource in resources {
            let items = try await client.resource(resource, as: JSONValue.self).listAll(namespace: "default").items
            let bytes = items.reduce(0) { $0 + $1.serialized().count }
            print("cached \(resource.plural): \(items.count) objects, \(bytes / max(items.count, 1)) bytes of JSON each, \(bytes / 1024) KiB in all")
        }
    }

    func waitUntil(timeout: Duration, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw BenchmarkFailure("timed out after \(timeout)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

func format(_ duration: Duration) -> String {
    let ms = duration.milliseconds
    return ms < 10_000 ? String(format: "%.0f ms", ms) : String(format: "%.1f s", ms / 1000)
}

func mib(_ value: Double) -> String { String(format: "%.1f MiB", value) }
