import ArgumentParser
import ChildProcesses
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster

/// `serin dashboard` (a separate process, the given binary) over N Canaries: from start to the first overview
/// answered, the page's first render in a real headless Chromium, how many rows it draws, and the dashboard's
/// resident memory before and while a page follows a burst of changes.
struct DashboardBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "serin dashboard with N Canaries: first overview, first render in Chromium, rows drawn, RSS.")

    @Option(help: "The serin binary to measure (build it with -c release).")
    var binary: String

    @Option(help: "How many Canaries.")
    var canaries = 1000

    func run() async throws {
        var options = Sandbox.Options()
        options.simulateTraffic = false
        let sandbox = try await Sandbox.start(options)
        let setup = sandbox.client()
        let steps = OperatorBenchmark()
        try await steps.installCRDs(setup)
        for index in 0..<canaries { try await steps.create(index, client: setup) }
        let port = try PrometheusServer.freePort()
        let null = try FileHandle(forUpdating: URL(fileURLWithPath: "/dev/null"))
        let start = ContinuousClock.now
        let process = try SpawnedProcess(
            path: binary, arguments: ["dashboard", "--kubeconfig", sandbox.kubeconfigPath, "-A", "--port", "\(port)"],
            environment: ProcessInfo.processInfo.environment, standardInput: null.fileDescriptor, standardOutput: null.fileDescriptor,
            standardError: null.fileDescriptor)
        try? null.close()
        let url = "http://127.0.0.1:\(port)/"
        guard let address = URL(string: url) else { throw BenchmarkFailure("no URL for port \(port)") }
        var size = 0
        while size == 0 {
            guard process.isRunning else { throw BenchmarkFailure("serin dashboard exited") }
            if let (body, _) = try? await URLSession.shared.data(from: address), body.count > 0 { size = body.count }
            try await Task.sleep(for: .milliseconds(20))
        }
        let firstOverview = ContinuousClock.now - start
        let idle = StartupBenchmark.residentKilobytes(of: process.processIdentifier)
        let browser = try await HeadlessBrowser.start()
        try await browser.open(url)
        let page = try await browser.run(
            "return {render: Number(document.body.dataset.rendered), rows: document.querySelectorAll('#rows tr:not(.spacer)').length, heap: performance.memory ? performance.memory.usedJSHeapSize : 0};"
        )
        let canaryClient = setup.resource(
            KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true), as: JSONValue.self)
        for index in 0..<min(canaries, 200) {
            _ = try await canaryClient.patch(
                "app-\(index)", namespace: "default", patch: .merge(["metadata": ["annotations": ["bench": .string("\(index)")]]]))
        }
        try await Task.sleep(for: .seconds(2))
        let following = StartupBenchmark.residentKilobytes(of: process.processIdentifier)
        await browser.quit()
        await ProcessGroup.stop(process)
        print(
            """
            dashboard with \(canaries) Canaries: start → first overview \(String(format: "%.0f", firstOverview.seconds * 1000)) ms (\(size / 1024) KiB of HTML); \
            Chromium first render \(page["render"]?.doubleValue.map { String(format: "%.0f", $0) } ?? "?") ms after navigation start, \
            \(page["rows"]?.intValue ?? 0) rows drawn, JS heap \(String(format: "%.1f", (page["heap"]?.doubleValue ?? 0) / 1_048_576)) MiB; \
            dashboard RSS \(String(format: "%.1f", Double(idle) / 1024)) MiB idle, \(String(format: "%.1f", Double(following) / 1024)) MiB after 200 changes streamed to the page
            """)
        try await setup.shutdown()
        await sandbox.stop()
    }
}
