import Foundation
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
            defer { if first.isRunning { first.terminate() } }
            let listening = try await eventually(timeout: .seconds(20)) { await OperatorHATests.readiness(port: port).contains("OK") }
            let firstOutput = try String(contentsOf: firstLog, encoding: .utf8)
            #expect(listening, "the first operator listens: \(firstOutput)")
            let (status, output) = try await SerinBinary.run(OperatorStartupTests.operatorArguments(sandbox, port: port))
            #expect(status == 1)
            #expect(output.contains("failed to listen on 0.0.0.0:\(port) for /metrics, /healthz and /readyz"), "\(output)")
        }
    }

    @Test func transientFailuresAtStartUpAreRetriedAndSIGTERMEndsAStartUpThatCannotFinish() async throws {
        try await Sandbox.with { sandbox in
            try await Kubectl(sandbox).succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            await sandbox.faults.fail(verb: "list", plural: "canaries", code: 500, count: 3)
            let port = try PrometheusServer.freePort()
            let (retrying, retryingLog) = try SerinBinary.start(OperatorStartupTests.operatorArguments(sandbox, port: port))
            defer { if retrying.isRunning { retrying.terminate() } }
            #expect(try await eventually(timeout: .seconds(30)) { await OperatorHATests.readiness(port: port).contains("OK") },
                    "three 500s during the CRD check are waited out")
            #expect(try String(contentsOf: retryingLog, encoding: .utf8).contains("failed to check a CRD; retrying"))
            retrying.terminate()

            await sandbox.faults.fail(verb: "list", plural: "canaries", code: 503, count: 100_000)
            let stuckPort = try PrometheusServer.freePort()
            let (stuck, stuckLog) = try SerinBinary.start(OperatorStartupTests.operatorArguments(sandbox, port: stuckPort))
            defer { if stuck.isRunning { kill(stuck.processIdentifier, SIGKILL) } }
            #expect(try await eventually(timeout: .seconds(20)) {
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
}
