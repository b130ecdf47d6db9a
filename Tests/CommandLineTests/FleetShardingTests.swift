import ChildProcesses
import KubeAPIServer
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// A rollout budget shared by three `serin operator --shard N/3 --rollout-policies` processes, one killed with
/// SIGKILL mid-wave: the budget holds through the API server (never more than 5 analysing), and every release
/// finishes. Wall-clock shard leases in three processes: `make test` runs it alone.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "wall-clock shard leases in three processes; make test runs it alone"))
struct FleetShardingTests {
    static let names = (0..<20).map { "app\($0)" }

    static func manifests(image: String) -> String {
        let policy = """
            apiVersion: serin.dev/v1alpha1
            kind: RolloutPolicy
            metadata: {name: shared-libs}
            spec: {maxProgressing: 5}
            """
        return
            ([Fixtures.demoNamespace, policy]
            + names.flatMap {
                [
                    Fixtures.workload($0, image: image),
                    Fixtures.canary($0, port: 80, analysis: "interval: 1s, threshold: 2, maxWeight: 50, stepWeight: 25"),
                ]
            })
            .joined(separator: "\n---\n")
    }

    @Test func threeShardedReplicasShareOneBudgetThroughAKill() async throws {
        var options = Sandbox.Options()
        options.auditLog = true
        try await Sandbox.with(options) { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let ports = [try PrometheusServer.freePort(), try PrometheusServer.freePort(), try PrometheusServer.freePort()]
            let processes = try (0..<3).map { shard in
                try SerinBinary.start([
                    "operator", "--kubeconfig", sandbox.kubeconfigPath, "--shard", "\(shard)/3", "--rollout-policies",
                    "--leader-election-namespace", "default", "--port", "\(ports[shard])", "--min-analysis-interval", "500ms",
                    "--metrics-server", "http://127.0.0.1:1",
                ]).0
            }
            defer { for process in processes { ProcessGroup.stopInBackground(process) } }
            #expect(
                try await eventually(timeout: .seconds(60)) {
                    var states: [String] = []
                    for port in ports { states.append(await OperatorHATests.readiness(port: port)) }
                    return (0..<3).allSatisfy { states[$0].contains("leading shard \($0) of 3") }
                }, "each replica leads its own shard")
            try await kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(image: "kennethreitz/httpbin:v1"))
            let client = sandbox.client()
            let canaries = client.resource(
                KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true), as: JSONValue.self)
            func phases() async throws -> [String] {
                try await canaries.list(namespace: "demo").items.map { $0[path: "status", "phase"]?.stringValue ?? "" }
            }
            #expect(try await eventually(timeout: .seconds(60)) { try await phases() == Array(repeating: "Initialized", count: Self.names.count) })
            try await kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(image: "kennethreitz/httpbin:v2"))
            #expect(try await eventually(timeout: .seconds(30)) { try await phases().filter { FleetAudit.analysing.contains($0) }.count >= 3 })
            kill(processes[1].processIdentifier, SIGKILL)  // mid-wave, holding slots: its shard's Lease is not released
            let done = try await eventually(timeout: .seconds(180)) { try await phases() == Array(repeating: "Succeeded", count: Self.names.count) }
            let finished = try await phases()
            #expect(done, "every release finishes: \(finished)")
            let audit = FleetAudit(await sandbox.audit?.writes() ?? [])
            #expect(audit.mostAnalysing <= 5 && audit.mostHolders <= 5, "never more than 5: \(audit.mostAnalysing), \(audit.mostHolders) holders")
            #expect(audit.granted.count == Self.names.count && audit.granted == audit.arrived, "first come, first served across replicas")
            try await client.shutdown()
        }
    }
}
