import ChildProcesses
import Foundation
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// Every listener of the `serin` binary that cannot bind its port says which address and why, and exits 1
/// (the load tester and the sandbox used to wait forever; the operator's case is in `OperatorStartupTests`).
@Suite struct ListenerTests {
    @Test(arguments: [
        ["loadtester", "--host", "127.0.0.1", "--port"], ["sandbox", "--kubeconfig", "/tmp/serin-listener-test.kubeconfig", "--port"],
    ])
    func aPortInUseIsNamedAndExitsOne(command: [String]) async throws {
        try await Sandbox.with { sandbox in  // the sandbox's API port is the port in use
            let port = sandbox.port
            let (process, log) = try SerinBinary.start(command + ["\(port)"])
            defer { ProcessGroup.stopInBackground(process) }
            // A ceiling, not a wait: under a loaded start of the suite the binary takes long to load and seed.
            let exited = try await eventually(timeout: .seconds(90)) { !process.isRunning }
            #expect(exited, "it exits instead of waiting")
            guard exited else { return }
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(process.terminationStatus == 1, "\(output)")
            #expect(output.contains("failed to listen on 127.0.0.1:\(port)") && output.contains("Address already in use"), "\(output)")
        }
    }
}
