import ChildProcesses
import Foundation
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// `analysis.steps` across a real crash: a `serin operator` process killed with SIGKILL during a timed pause,
/// and another started, ends the pause at the time it started plus its duration, not a full pause later.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "an operator process timed against the wall clock; make test runs it alone"))
struct StepsCrashTests {
    static let manifest = TestManifests.plain(
        "httpbin", port: 8000,
        analysis: "interval: 1s, threshold: 2, steps: [{setWeight: 10}, {pause: {duration: 10s}}, {setWeight: 40}]")

    @Test func anOperatorKilledDuringATimedPauseResumesWithTheTimeThatWasLeft() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let port = try OperatorHATests.freePort()
            func start() throws -> (SpawnedProcess, URL) {
                try SerinBinary.start([
                    "operator", "--kubeconfig", sandbox.kubeconfigPath, "--port", "\(port)", "--min-analysis-interval", "500ms",
                    "--metrics-server", "http://127.0.0.1:1",
                ])
            }
            var processes = [try start()]
            defer { for (process, _) in processes { ProcessGroup.stopInBackground(process) } }
            try await kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifest)
            let client = sandbox.client()
            let canaries = client.resource(
                KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true), as: JSONValue.self)
            func status() async throws -> JSONValue { try await canaries.get("httpbin", namespace: "demo")["status"] ?? [:] }
            func started() async throws -> Date? { try await status()["stepStarted"]?.stringValue.flatMap { KubeTime(rfc3339: $0)?.date } }
            #expect(try await eventually(timeout: .seconds(90)) { try await status()["phase"] == "Initialized" })
            try await kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            #expect(try await eventually(timeout: .seconds(60)) { try await status()["currentStep"] == 1 }, "the timed pause")
            let pause = try #require(try await started())

            kill(processes[0].0.processIdentifier, SIGKILL)  // a crash in the pause
            try await Task.sleep(for: .seconds(4))  // down for a while: a pause timed from the restart would end 4 s late or more
            processes.append(try start())
            #expect(try await eventually(timeout: .seconds(60)) { await OperatorHATests.readiness(port: port).hasPrefix("OK") })
            let ready = Date()
            #expect(try await eventually(timeout: .seconds(60)) { try await status()["currentStep"] == 2 }, "the pause ended")
            let next = try #require(try await started())
            let elapsed = next.timeIntervalSince(pause)
            #expect(elapsed >= 10, "the whole pause: \(elapsed) s")
            // Ended when its 10 s were up (or at the first check after the restart, when that came later); a pause
            // timed from the restart would end at least 10 s after it.
            let bound = max(pause.addingTimeInterval(10), ready).addingTimeInterval(2.5)
            #expect(next <= bound, "the pause ended \(elapsed) s after it started, \(next.timeIntervalSince(ready)) s after the restart")
            #expect(try await status()["canaryWeight"] == 40)
            try await client.shutdown()
        }
    }
}
