import ArgumentParser
import Foundation
import KubeSandbox

/// `serin sandbox`: runs the embedded cluster until interrupted.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run an embedded Kubernetes-compatible API server on loopback that kubectl and Serin can use.")

    @Option(help: "The API server's port (0 picks a free one).")
    var port = 0

    @Option(help: "Where to write the kubeconfig for kubectl.")
    var kubeconfig = "sandbox.kubeconfig"

    @Option(help: "The traffic port: /metrics for Prometheus and an HTTP proxy for cluster service names (0 picks a free one).")
    var metricsPort = 0

    @Flag(help: "Do not install Istio's networking CRDs.")
    var noIstio = false

    func run() async throws {
        var options = Sandbox.Options()
        options.port = port
        options.kubeconfigPath = (kubeconfig as NSString).standardizingPath
        options.istio = !noIstio
        options.metricsPort = metricsPort
        let sandbox = try await Sandbox.start(options)
        Console.line("sandbox API server: \(sandbox.url.absoluteString)")
        Console.line("kubeconfig:         \(sandbox.kubeconfigPath)")
        Console.line("metrics:            \(sandbox.trafficURL.absoluteString)/metrics")
        Console.line("service proxy:      HTTP_PROXY=\(sandbox.trafficURL.absoluteString) (reach http://<service>.<namespace>:<port>/)")
        Console.line("try:                kubectl --kubeconfig \(sandbox.kubeconfigPath) get namespaces")
        Console.line("press Ctrl-C to stop")
        let signals = AsyncStream<Void> { continuation in
            for signal in [SIGINT, SIGTERM] {
                Foundation.signal(signal, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signal, queue: .main)
                source.setEventHandler { continuation.yield() }
                source.resume()
                SignalSources.keep(source)
            }
        }
        for await _ in signals { break }
        await sandbox.stop()
        Console.line("sandbox stopped")
    }
}

/// Keeps signal sources alive for the life of the process.
enum SignalSources {
    // SAFETY: only appended to from `run()`, before the signal loop starts.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    static func keep(_ source: any DispatchSourceSignal) { sources.append(source) }
}
