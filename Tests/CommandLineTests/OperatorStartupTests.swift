import ChildProcesses
import Foundation
import KubeAPIServer
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// `serin operator` starting and stopping in any state: a port it cannot bind is named, a flaky API server
/// is waited for, and SIGTERM always ends it.
@Suite(.serialized) struct OperatorStartupTests {
    static func operatorArguments(_ sandbox: Sandbox, port: Int) -> [String] {
        ["operator", "--kubeconfig", sandbox.kubeconfigPath, "--port", "\(port)", "--metrics-server", "http://127.0.0.1:1"]
    }

    @Test func aPortThatCannotBeBoundIsNamedAndExitsOne() async throws {
        try await Sandbox.with { sandbox in
            try await Kubectl(sandbox).succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let port = try PrometheusServer.freePort()
            let (first, firstLog) = try SerinBinary.start(OperatorStartupTests.operatorArguments(sandbox, port: port))
            defer { ProcessGroup.stopInBackground(first) }
            let listening = try await eventually(timeout: .seconds(20)) { await OperatorHATests.readiness(port: port).contains("OK") }
            let firstOutput = try String(contentsOf: firstLog, encoding: .utf8)
            #expect(listening, "the first operator listens: \(firstOutput)")
            let (status, output) = try await SerinBinary.run(OperatorStartupTests.operatorArguments(sandbox, port: port))
            #expect(status == 1)
            #expect(output.contains("failed to listen on 0.0.0.0:\(port) for /metrics, /healthz and /readyz"), "\(output)")
        }
    }

    /// The allocator's free memory goes back to the system every `--memory-trim-interval` (docs/operations.md).
    @Test func freeMemoryIsTrimmedEveryInterval() async throws {
        try await Sandbox.with { sandbox in
            try await Kubectl(sandbox).succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let port = try PrometheusServer.freePort()
            let arguments = OperatorStartupTests.operatorArguments(sandbox, port: port) + ["--memory-trim-interval", "1s", "--log-level", "debug"]
            let (process, log) = try SerinBinary.start(arguments)
            defer { ProcessGroup.stopInBackground(process) }
            let trimmed = try await eventually(timeout: .seconds(30)) {
                try String(contentsOf: log, encoding: .utf8).components(separatedBy: "trimmed free memory").count > 2
            }
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(trimmed, "twice in a few seconds: \(output.suffix(2000))")
        }
    }

    @Test func transientFailuresAtStartUpAreRetriedAndSIGTERMEndsAStartUpThatCannotFinish() async throws {
        try await Sandbox.with { sandbox in
            try await Kubectl(sandbox).succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            await sandbox.faults.fail(verb: "list", plural: "canaries", code: 500, count: 3)
            let port = try PrometheusServer.freePort()
            let (retrying, retryingLog) = try SerinBinary.start(OperatorStartupTests.operatorArguments(sandbox, port: port))
            defer { ProcessGroup.stopInBackground(retrying) }
            #expect(
                try await eventually(timeout: .seconds(30)) { await OperatorHATests.readiness(port: port).contains("OK") },
                "three 500s during the CRD check are waited out")
            #expect(try String(contentsOf: retryingLog, encoding: .utf8).contains("failed to check a CRD; retrying"))
            retrying.terminate()

            await sandbox.faults.fail(verb: "list", plural: "canaries", code: 503, count: 100_000)
            let stuckPort = try PrometheusServer.freePort()
            let (stuck, stuckLog) = try SerinBinary.start(OperatorStartupTests.operatorArguments(sandbox, port: stuckPort))
            defer { if stuck.isRunning { kill(stuck.processIdentifier, SIGKILL) } }
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try String(contentsOf: stuckLog, encoding: .utf8).contains("failed to check a CRD; retrying")
                })
            #expect(await OperatorHATests.readiness(port: stuckPort).contains("not ready"), "not ready while the check cannot pass")
            let signalled = ContinuousClock.now
            stuck.terminate()
            #expect(try await eventually(timeout: .seconds(10)) { !stuck.isRunning }, "SIGTERM ends a start-up that cannot finish")
            #expect(ContinuousClock.now - signalled < .seconds(10))
            let log = try String(contentsOf: stuckLog, encoding: .utf8)
            #expect(stuck.terminationStatus == 0, "\(log)")
        }
    }

    @Test func anOperatorWhoseMeshProviderNeedsNoIstioCRDStartsWithoutThemAndNamesWhatItCannotRoute() async throws {
        var options = Sandbox.Options()
        options.meshes = SimulatedMesh.defaults.removing("istio", "keda", "smi")
        try await Sandbox.with(options) { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let (status, output) = try await SerinBinary.run(OperatorStartupTests.operatorArguments(sandbox, port: 0))
            #expect(status == 1)
            #expect(output.contains("the CRD virtualservices.networking.istio.io is not installed"), "the Istio operator needs them: \(output)")
            let linkerd = try await SerinBinary.run(OperatorStartupTests.operatorArguments(sandbox, port: 0) + ["--mesh-provider", "linkerd"])
            #expect(linkerd.0 == 1 && linkerd.1.contains("the CRD trafficsplits.split.smi-spec.io is not installed"), "\(linkerd.1)")

            let port = try PrometheusServer.freePort()
            let (process, log) = try SerinBinary.start(
                OperatorStartupTests.operatorArguments(sandbox, port: port) + ["--mesh-provider", "kubernetes"])
            defer { ProcessGroup.stopInBackground(process) }
            let ready = try await eventually(timeout: .seconds(20)) { await OperatorHATests.readiness(port: port).contains("OK") }
            let startLog = try String(contentsOf: log, encoding: .utf8)
            #expect(ready, "\(startLog)")

            try await kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: OperatorHATests.manifest + """

                    ---
                    apiVersion: flagger.app/v1beta1
                    kind: Canary
                    metadata: {name: meshed, namespace: demo}
                    spec:
                      provider: istio
                      targetRef: {apiVersion: apps/v1, kind: Deployment, name: httpbin}
                      service: {port: 8000}
                      analysis: {interval: 2s, threshold: 2, stepWeight: 20}
                    """)
            func condition(_ name: String) async throws -> String {
                try await kubectl.succeed(["get", "canary", name, "-n", "demo", "-o", "jsonpath={.status.conditions[?(@.type=='Valid')].message}"])
            }
            #expect(try await eventually(timeout: .seconds(20)) { try await condition("httpbin").contains("\"kubernetes\" splits no traffic") })
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try await condition("meshed").contains(
                        "\"istio\" is not enabled on this operator (--mesh-provider kubernetes enables: kubernetes)")
                })
            let events = try await kubectl.succeed([
                "get", "events", "-n", "demo", "--field-selector", "type=Warning", "-o", "jsonpath={.items[*].message}",
            ])
            #expect(events.contains("invalid canary spec: spec.provider: \"istio\" is not enabled"), "\(events)")
        }
    }
}

/// `serin operator` with a fleet of 10,000 Canaries (and their Deployments) already there. It loads both cores
/// for a minute, enough to starve the live scenarios' wall-clock checks, so `make test` runs it alone
/// (`SERIN_ISOLATED_TESTS=1 swift test --filter FleetStartupTests`).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1", "10,000 Canaries load both cores; make test runs it alone"))
struct FleetStartupTests {
    static let canaryResource = KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true)

    @Test func withTenThousandCanariesHealthzAnswersWithinTenSecondsAndThroughoutTheStartUp() async throws {
        var options = Sandbox.Options()
        options.simulateTraffic = false
        try await Sandbox.with(options) { sandbox in
            try await Kubectl(sandbox).succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let client = sandbox.client()
            try await Self.createFleet(10_000, client: client)
            let port = try PrometheusServer.freePort()
            let started = ContinuousClock.now
            let (process, log) = try SerinBinary.start(OperatorStartupTests.operatorArguments(sandbox, port: port))
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            let answered = try await eventually(timeout: .seconds(10)) { await Self.healthz(port: port) == 200 }
            let startLog = try String(contentsOf: log, encoding: .utf8)
            #expect(answered, "/healthz within 10 s of start: \(startLog.suffix(2000))")
            let firstAnswer = ContinuousClock.now - started
            var unanswered = 0
            for _ in 0..<20 {  // while the operator lists 20,000 objects and starts initialising the fleet
                if await Self.healthz(port: port) != 200 { unanswered += 1 }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(unanswered == 0, "/healthz failed \(unanswered) of 20 probes after first answering at \(firstAnswer)")
            #expect(process.isRunning)
            try await client.shutdown()
        }
    }

    /// The status of `/healthz`, 0 when nothing answered within 2 s.
    static func healthz(port: Int) async -> Int {
        guard let url = URL(string: "http://127.0.0.1:\(port)/healthz") else { return 0 }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return 0 }
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// `count` Deployments and Canaries in `default`, from 16 concurrent writers.
    static func createFleet(_ count: Int, client: KubeClient) async throws {
        let deployments = client.resource(.deployments, as: JSONValue.self)
        let canaries = client.resource(canaryResource, as: JSONValue.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for index in stride(from: writer, to: count, by: 16) {
                        let name = "app-\(index)"
                        _ = try await deployments.create(
                            [
                                "metadata": ["name": .string(name)],
                                "spec": [
                                    "replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
                                    "template": [
                                        "metadata": ["labels": ["app": .string(name)]],
                                        "spec": ["containers": [["name": "app", "image": "app:1"]]],
                                    ],
                                ],
                            ], namespace: "default")
                        _ = try await canaries.create(
                            [
                                "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": ["name": .string(name)],
                                "spec": [
                                    "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(name)],
                                    "service": ["port": 80], "analysis": ["interval": "1m", "threshold": 1, "stepWeight": 25],
                                ],
                            ], namespace: "default")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
