import ChildProcesses
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// Three `serin operator --shard N/3` processes against the sandbox, one killed mid-rollout.
/// Three processes whose shard Leases have deadlines of seconds on the wall clock: in the loaded full suite
/// their renewals can miss and shards change hands for the wrong reason, so `make test` runs it alone.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "wall-clock shard leases in three processes; make test runs it alone"))
struct OperatorShardingTests {
    static let names = (0..<6).map { "app\($0)" }

    static func manifests() -> String {
        names.map { TestManifests.plain($0, port: 8000, analysis: "interval: 2s, threshold: 2, maxWeight: 60, stepWeight: 20") }
            .joined(separator: "\n---\n")
    }

    static func readiness(_ ports: [Int]) async -> [String] {
        var states: [String] = []
        for port in ports { states.append(await OperatorHATests.readiness(port: port)) }
        return states
    }

    /// How many Services the replica on `port` caches (`serin_cached_objects`, or with `metric`
    /// `serin_cached_bytes` the bytes they are held in), or -1.
    static func cachedServices(port: Int, metric: String = "serin_cached_objects") async -> Int {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"), let (data, _) = try? await URLSession.shared.data(from: url) else {
            return -1
        }
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(metric + #"{resource="services"}"#) }
        return line.flatMap { $0.split(separator: " ").last.flatMap { Double($0) }.map { Int($0) } } ?? 0
    }

    /// Whether one survivor caches the Services of shard 1's Canaries beside its own, and the other only its own.
    static func tookShardOneOver(_ ports: [Int], perShard: [Int]) async -> Bool {
        let survivors = [await cachedServices(port: ports[0]), await cachedServices(port: ports[1])]
        return survivors == [perShard[0] + perShard[1], perShard[2]] || survivors == [perShard[0], perShard[1] + perShard[2]]
    }

    @Test func threeShardedReplicasShareTheCanariesAndAKilledOnesShardsFinishWithEachStepOnce() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let ports = [try PrometheusServer.freePort(), try PrometheusServer.freePort(), try PrometheusServer.freePort()]
            let processes = try (0..<3).map { shard in
                try SerinBinary.start([
                    "operator", "--kubeconfig", sandbox.kubeconfigPath, "--shard", "\(shard)/3",
                    "--leader-election-namespace", "default", "--port", "\(ports[shard])", "--min-analysis-interval", "500ms",
                    "--metrics-server", "http://127.0.0.1:1",
                ]).0
            }
            defer { for process in processes { ProcessGroup.stopInBackground(process) } }
            #expect(
                try await eventually(timeout: .seconds(60)) {  // three processes starting in a loaded full suite
                    let states = await Self.readiness(ports)
                    return (0..<3).allSatisfy { states[$0].contains("leading shard \($0) of 3") }
                }, "each replica leads its own shard")
            try await kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests())
            let client = sandbox.client()
            let canaries = client.resource(
                KubeResource(
                    group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries",
                    namespaced: true), as: JSONValue.self)
            func phases() async throws -> [String] {
                try await canaries.list(namespace: "demo").items.map { $0[path: "status", "phase"]?.stringValue ?? "" }
            }
            #expect(try await eventually(timeout: .seconds(30)) { try await phases() == Array(repeating: "Initialized", count: 6) })
            for name in Self.names {
                try await kubectl.succeed(["set", "image", "deploy/\(name)", "-n", "demo", "\(name)=kennethreitz/httpbin:v2"])
            }
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await canaries.list(namespace: "demo").items.allSatisfy { ($0[path: "status", "canaryWeight"]?.intValue ?? 0) >= 20 }
                })
            let assignment = ShardAssignment(index: 0, count: 3)
            // Each Canary owns three Services (apex, -primary, -canary); nothing else makes Services here.
            let perShard = (0..<3).map { shard in
                3 * Self.names.filter { assignment.shard(of: ObjectKey(namespace: "demo", name: $0)) == shard }.count
            }
            var cached: [Int] = []
            for port in ports { cached.append(await Self.cachedServices(port: port)) }
            #expect(cached == perShard, "each replica caches what its own shard's Canaries own, not the fleet's")
            var bytes: [Int] = []
            for port in ports { bytes.append(await Self.cachedServices(port: port, metric: "serin_cached_bytes")) }
            let perService = zip(bytes, cached).map { $1 == 0 ? 0 : $0 / $1 }
            #expect(
                zip(bytes, cached).allSatisfy { ($1 == 0) == ($0 == 0) } && perService.allSatisfy { $0 == 0 || (50...2000).contains($0) },
                "serin_cached_bytes counts what each replica holds: \(bytes) bytes for \(cached) Services")
            let killed = 1
            let orphans = Self.names.filter { assignment.shard(of: ObjectKey(namespace: "demo", name: $0)) == killed }
            #expect(!orphans.isEmpty, "the killed replica drives some of the Canaries")
            kill(processes[killed].processIdentifier, SIGKILL)  // a crash: its shard's Lease is not released
            #expect(
                try await eventually(timeout: .seconds(40)) {
                    let states = await Self.readiness([ports[0], ports[2]])
                    return states[0].contains("leading shards 0,1 of 3") || states[1].contains("leading shards 1,2 of 3")
                }, "a surviving replica takes shard 1 over once its lease expires")
            #expect(
                try await eventually(timeout: .seconds(20)) { await Self.tookShardOneOver([ports[0], ports[2]], perShard: perShard) },
                "the replica that took shard 1 over caches what its Canaries own too")
            #expect(try await eventually(timeout: .seconds(90)) { try await phases() == Array(repeating: "Succeeded", count: 6) })

            let events = try await client.resource(.events, as: JSONValue.self).list(namespace: "demo").items
            let conflicts = events.compactMap { $0["message"]?.stringValue }.filter { $0.contains("already exists") }
            #expect(conflicts.isEmpty, "a shard taken over is reconciled with what its Canaries own in the caches: \(conflicts)")
            for name in Self.names {
                for weight in [20, 40, 60] {
                    let message = "Advance \(name).demo canary weight \(weight)"
                    let count = events.filter { $0["message"]?.stringValue == message }.map { $0["count"]?.intValue ?? 1 }.reduce(0, +)
                    #expect(count == 1, "\(message) happened \(count) times")
                }
            }
            // The replicas end (and are waited for) while the sandbox they release their Leases to still answers.
            for process in processes { await ProcessGroup.stop(process) }
            try await client.shutdown()
        }
    }
}
