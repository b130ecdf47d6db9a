import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster

/// The `serin` binary against the sandbox: start-to-ready time and idle resident memory, with 0 and N Canaries.
struct StartupBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup", abstract: "serin operator (a separate process): start → /readyz, idle RSS, binary size.")

    @Option(help: "The serin binary to measure (build it with -c release).")
    var binary: String

    @Option(help: "Canary counts to measure, comma-separated.")
    var canaries = "0,1000"

    @Option(help: "How long the operator idles before its memory is read, in seconds.")
    var idleSeconds = 10

    func run() async throws {
        let size = (try FileManager.default.attributesOfItem(atPath: binary)[.size] as? Int) ?? 0
        print("binary: \(binary), \(String(format: "%.1f", Double(size) / 1_048_576)) MiB")
        for count in canaries.split(separator: ",").compactMap({ Int($0) }) { try await measure(count) }
    }

    func measure(_ count: Int) async throws {
        var options = Sandbox.Options()
        options.simulateTraffic = false
        let sandbox = try await Sandbox.start(options)
        let setup = sandbox.client()
        let steps = OperatorBenchmark()
        try await steps.installCRDs(setup)
        for index in 0..<count { try await steps.create(index, client: setup) }
        // A free port, not a fixed one: a port already taken once left the operator running without its
        // endpoints (it now exits 1 naming the address), and this loop waiting for a /readyz that never came.
        let port = try PrometheusServer.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "operator", "--kubeconfig", sandbox.kubeconfigPath, "--port", "\(port)", "--log-level", "error",
            "--metrics-server", "http://127.0.0.1:1",
        ]
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        while await !ready(port: port) {
            guard process.isRunning else { throw BenchmarkFailure("serin operator exited with status \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let startup = ContinuousClock.now - start
        try await Task.sleep(for: .seconds(idleSeconds))
        let rss = Self.residentKilobytes(of: process.processIdentifier)
        process.terminate()
        process.waitUntilExit()
        print(
            "canaries \(count): start → ready \(String(format: "%.0f", startup.seconds * 1000)) ms, idle RSS \(String(format: "%.1f", Double(rss) / 1024)) MiB after \(idleSeconds) s"
        )
        try await setup.shutdown()
        await sandbox.stop()
    }

    func ready(port: Int) async -> Bool {
        guard let url = URL(string: "http://127.0.0.1:\(port)/readyz") else { return false }
        do {
            let (_, response) = try await URLSession.shared.data(from: url)
            return (response as? HTTPURLResponse)?.statusCode == 200
        } catch { return false }  // not listening yet
    }

    /// VmRSS of a process, in KiB.
    static func residentKilobytes(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
