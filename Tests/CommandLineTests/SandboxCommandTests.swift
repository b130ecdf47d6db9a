import ChildProcesses
import Foundation
import KubeSandbox
import SerinTesting
import Testing

/// `serin sandbox`'s reliability switches, as a user starts them: the audit log and random faults.
@Suite(.serialized) struct SandboxCommandTests {
    /// Runs `kubectl ARGS` against `kubeconfig`: the exit status and the output.
    static func kubectl(_ kubeconfig: String, _ arguments: [String], stdin: String = "") async throws -> (status: Int32, output: String) {
        var command = Command("kubectl", ["--kubeconfig", kubeconfig] + arguments, stdin: stdin)
        command.mergesErrors = true
        let result = try await command.run(within: .seconds(120))
        return (result.status, result.stdout)
    }

    /// Starts `serin sandbox ARGS` and waits until its kubeconfig exists.
    static func startSandbox(_ arguments: [String], kubeconfig: String) async throws -> SpawnedProcess {
        let (process, log) = try SerinBinary.start(["sandbox", "--kubeconfig", kubeconfig] + arguments)
        let ready = try await eventually(timeout: .seconds(20)) {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("press Ctrl-C to stop") == true
        }
        if !ready { ProcessGroup.stopInBackground(process) }
        try #require(ready, "the sandbox started")
        return process
    }

    @Test func theAuditLogHasEveryWriteAndTheFaultRateFailsRequests() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let audit = directory.appendingPathComponent("audit.jsonl").path
        let audited = try await SandboxCommandTests.startSandbox(["--audit-log", audit], kubeconfig: kubeconfig)
        defer { ProcessGroup.stopInBackground(audited) }
        let applied = try await SandboxCommandTests.kubectl(
            kubeconfig, ["apply", "-f", "-"],
            stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: audited, namespace: default}\n")
        #expect(applied.status == 0, "\(applied.output)")
        let lines = try String(contentsOf: URL(fileURLWithPath: audit), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains(#""verb":"create","resource":"configmaps","name":"audited""#) == true, "\(lines)")
        audited.terminate()

        let faultyConfig = directory.appendingPathComponent("faulty").path
        let faulty = try await SandboxCommandTests.startSandbox(["--fault-rate", "1"], kubeconfig: faultyConfig)
        defer { ProcessGroup.stopInBackground(faulty) }
        let failed = try await SandboxCommandTests.kubectl(faultyConfig, ["get", "configmaps", "-n", "default"])
        #expect(failed.status != 0 && failed.output.contains("injected fault"), "\(failed.output)")

        let (status, output) = try await SerinBinary.run(["sandbox", "--fault-rate", "2"])
        #expect(status != 0 && output.contains("--fault-rate must be between 0 and 1"), "\(output)")
    }

    @Test func meshesInstallsTheNamedMeshesOnlyAndRefusesAnUnknownOne() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serin-meshes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let sandbox = try await SandboxCommandTests.startSandbox(["--meshes", "gloo,traefik"], kubeconfig: kubeconfig)
        defer { ProcessGroup.stopInBackground(sandbox) }
        for resource in ["upstreams.gloo.solo.io", "ingressroutes.traefik.io"] {
            let listed = try await SandboxCommandTests.kubectl(kubeconfig, ["get", resource, "-A"])
            #expect(listed.status == 0, "\(resource): \(listed.output)")
        }
        let istio = try await SandboxCommandTests.kubectl(kubeconfig, ["get", "virtualservices.networking.istio.io", "-A"])
        #expect(istio.status != 0 && istio.output.contains("the server doesn't have a resource type"), "\(istio.output)")

        let (status, output) = try await SerinBinary.run(["sandbox", "--meshes", "istio,linkerd"])
        #expect(status != 0 && output.contains("unknown mesh \"linkerd\"") && output.contains("gateway-api"), "\(output)")
    }
}
