import ChildProcesses
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// Two `serin operator` processes with leader election against the sandbox.
@Suite struct OperatorHATests {
    static let manifest = TestManifests.plain("httpbin", port: 8000, analysis: "interval: 2s, threshold: 2, maxWeight: 100, stepWeight: 20")

    static func readiness(port: Int) async -> String {
        guard let url = URL(string: "http://127.0.0.1:\(port)/readyz"), let (data, _) = try? await URLSession.shared.data(from: url) else {
            return ""
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func freePort() throws -> Int { try PrometheusServer.freePort() }

    @Test func aKilledLeaderHandsOverAndTheRolloutFinishesWithoutARepeatedStep() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let ports = [try Self.freePort(), try Self.freePort(), try Self.freePort()]
            func start(_ port: Int) throws -> (SpawnedProcess, URL) {
                try SerinBinary.start([
                    "operator", "--kubeconfig", sandbox.kubeconfigPath, "--enable-leader-election",
                    "--leader-election-namespace", "default", "--port", "\(port)", "--min-analysis-interval", "500ms",
                    "--metrics-server", "http://127.0.0.1:1",
                ])
            }
            var processes = [try start(ports[0]), try start(ports[1])]
            defer { for (process, _) in processes { ProcessGroup.stopInBackground(process) } }
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    let states = await [Self.readiness(port: ports[0]), Self.readiness(port: ports[1])]
                    return states.filter { $0.contains("leading") }.count == 1 && states.filter { $0.contains("standby") }.count == 1
                }, "one leads, the other stands by with warm caches")
            let leader = await Self.readiness(port: ports[0]).contains("leading") ? 0 : 1
            try await kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifest)
            let client = sandbox.client()
            let canaries = client.resource(
                KubeResource(
                    group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries",
                    namespaced: true), as: JSONValue.self)
            func status() async throws -> JSONValue { try await canaries.get("httpbin", namespace: "demo")["status"] ?? [:] }
            // Two operator processes among the main run's suites: a loaded machine starts them slowly.
            #expect(try await eventually(timeout: .seconds(90)) { try await status()["phase"] == "Initialized" })
            try await kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            #expect(try await eventually(timeout: .seconds(60)) { (try await status()["canaryWeight"]?.intValue ?? 0) >= 40 })

            kill(processes[leader].0.processIdentifier, SIGKILL)  // a crash: the Lease is not released
            let standby = 1 - leader
            #expect(
                try await eventually(timeout: .seconds(40)) { await Self.readiness(port: ports[standby]).contains("leading") },
                "the standby takes over once the lease expires")
            #expect(try await eventually(timeout: .seconds(30)) { (try await status()["canaryWeight"]?.intValue ?? 0) >= 80 })

            processes[standby].0.terminate()  // SIGTERM mid-rollout: finish in-flight work, release the Lease
            #expect(try await eventually(timeout: .seconds(15)) { !processes[standby].0.isRunning })
            #expect(processes[standby].0.terminationStatus == 0, "a clean shutdown")
            processes.append(try start(ports[2]))
            #expect(
                try await eventually(timeout: .seconds(20)) { await Self.readiness(port: ports[2]).contains("leading") },
                "the released Lease is taken at once")
            #expect(try await eventually(timeout: .seconds(60)) { try await status()["phase"] == "Succeeded" })

            let events = try await client.resource(.events, as: JSONValue.self).list(namespace: "demo").items
            for weight in [20, 40, 60, 80, 100] {
                let message = "Advance httpbin.demo canary weight \(weight)"
                let count = events.filter { $0["message"]?.stringValue == message }.map { $0["count"]?.intValue ?? 1 }.reduce(0, +)
                #expect(count == 1, "\(message) happened \(count) times")
            }
            #expect(try await canaries.get("httpbin", namespace: "demo")[path: "status", "lastAppliedSpec"] != nil)
            try await client.shutdown()
        }
    }
}
