import Foundation
import Hummingbird
import KubeAPIServer
import KubeClient
import KubeCore
import Logging

/// An embedded Kubernetes-compatible cluster on loopback: the API server, its store, and a kubeconfig that
/// real `kubectl` and ``KubeClient`` use unchanged.
///
/// ```swift
/// let sandbox = try await Sandbox.start()
/// defer { Task { await sandbox.stop() } }
/// let client = sandbox.client()
/// ```
public final class Sandbox: Sendable {
    public let store: ObjectStore
    public let faults: FaultInjector
    /// Every write served, when ``Options/auditLog`` is on.
    public let audit: AuditLog?
    /// Tokens, RBAC and what was refused, when ``Options/authorization`` is on.
    public let access: AccessControl?
    /// The real data plane, when ``Options/envoy`` is set.
    public let envoy: EnvoyDataPlane?
    /// The API server's TLS certificate, when it serves TLS (with access control on).
    let certificate: SandboxCertificate?
    /// The API server's base URL, `http://127.0.0.1:<port>`.
    public let url: URL
    public let port: Int
    /// The kubeconfig file for kubectl (`kubectl --kubeconfig <path>`).
    public let kubeconfigPath: String
    /// The traffic port's base URL: `/metrics` for Prometheus, and an HTTP proxy (`HTTP_PROXY`) for cluster names.
    public let trafficURL: URL
    /// The Istio metrics of all traffic served so far.
    public let metrics: TrafficMetrics
    /// The meshes installed and simulated.
    public let meshes: [SimulatedMesh]
    private let servers: [LoopbackServer]
    private let simulators: Task<Void, Never>

    /// Starts a sandbox and waits until it serves.
    public static func start(_ options: Options = Options()) async throws -> Sandbox {
        let store = ObjectStore(
            historyLimit: options.historyLimit, validatesSchemas: options.validateCustomResources,
            maximumObjectBytes: options.maximumObjectBytes)
        try await ClusterSeed(meshes: options.meshes).install(into: store)
        let faults = FaultInjector()
        await faults.chaos(rate: options.faultRate, seed: options.faultSeed)
        let audit = options.auditLog || options.auditLogPath != nil ? try AuditLog(path: options.auditLogPath) : nil
        let metrics = TrafficMetrics()
        let access = options.authorization ? AccessControl(store: store) : nil
        await access?.watchRBAC()
        let api = APIServer(
            store: store, faults: faults, audit: audit, bookmarkInterval: options.bookmarkInterval, access: access,
            maximumRequestBytes: options.maximumRequestBytes, aggregated: [ExternalMetricsAdapter(store: store)], logger: options.logger)
        let certificate = options.authorization ? try await SandboxCertificate.make() : nil
        let apiServer = try await LoopbackServer.start(
            api.responder, port: options.port, tls: certificate?.serverConfiguration,
            logger: options.logger)
        let port = apiServer.port
        let envoy: EnvoyDataPlane?
        do {
            if let binary = options.envoy {
                envoy = try await EnvoyDataPlane.start(
                    binary: binary, store: store, meshes: options.meshes, metrics: metrics, logger: options.logger)
            } else {
                envoy = nil
            }
        } catch {
            await apiServer.stop()
            throw error
        }
        let traffic = TrafficServer(resolver: ServiceResolver(store: store, meshes: options.meshes), metrics: metrics, envoy: envoy)
        let trafficServer: LoopbackServer
        do {
            trafficServer = try await LoopbackServer.start(traffic.responder, port: options.metricsPort, logger: options.logger)
        } catch {
            await apiServer.stop()
            await envoy?.stop()
            throw error
        }
        let trafficPort = trafficServer.port
        let workloads = WorkloadSimulator(store: store)
        let statefulSets = StatefulSetSimulator(store: store)
        let keptn = KeptnSimulator(store: store)
        let knative = KnativeSimulator(store: store)
        let jobs = JobSimulator(store: store, meshes: options.meshes)
        let gatewayStatus = options.meshes.contains { $0.name == SimulatedMesh.gatewayAPI.name } ? GatewayRouteStatus(store: store) : nil
        let simulator = TrafficSimulator(store: store, meshes: options.meshes, metrics: metrics, tick: options.trafficTick)
        let simulateTraffic = options.simulateTraffic
        let simulateWorkloads = options.simulateWorkloads
        let envoyTraffic = envoy.map { EnvoyTraffic(plane: $0, tick: options.trafficTick) }
        let simulators = Task {
            await withDiscardingTaskGroup { group in
                if simulateWorkloads {
                    group.addTask { await workloads.run() }
                    group.addTask { await statefulSets.run() }
                    group.addTask { await keptn.run() }
                    group.addTask { await knative.run() }
                    group.addTask { await jobs.run() }
                    if let gatewayStatus { group.addTask { await gatewayStatus.run() } }
                }
                if let envoy {
                    group.addTask { await envoy.run() }
                    if simulateTraffic, let envoyTraffic { group.addTask { await envoyTraffic.run() } }
                } else if simulateTraffic {
                    group.addTask { await simulator.run() }
                }
            }
        }
        let url = URL(string: "\(certificate == nil ? "http" : "https")://127.0.0.1:\(port)")!
        let path = options.kubeconfigPath ?? (NSTemporaryDirectory() + "serin-sandbox-\(port).kubeconfig")
        try Sandbox.writeKubeconfig(server: url, certificate: certificate?.certificatePEM, to: path)
        return Sandbox(
            store: store, faults: faults, audit: audit, access: access, certificate: certificate, envoy: envoy, url: url, port: port,
            kubeconfigPath: path,
            trafficURL: URL(string: "http://127.0.0.1:\(trafficPort)")!, metrics: metrics, meshes: options.meshes,
            servers: [apiServer, trafficServer],
            simulators: simulators)
    }

    /// Starts a sandbox, runs `body` with it, and stops it whether or not `body` throws.
    public static func with<T>(_ options: Options = Options(), _ body: (Sandbox) async throws -> T) async throws -> T {
        let sandbox = try await start(options)
        do {
            let result = try await body(sandbox)
            await sandbox.stop()
            return result
        } catch {
            await sandbox.stop()
            throw error
        }
    }

    private init(
        store: ObjectStore, faults: FaultInjector, audit: AuditLog?, access: AccessControl?, certificate: SandboxCertificate?,
        envoy: EnvoyDataPlane?, url: URL, port: Int, kubeconfigPath: String,
        trafficURL: URL, metrics: TrafficMetrics, meshes: [SimulatedMesh], servers: [LoopbackServer], simulators: Task<Void, Never>
    ) {
        self.store = store
        self.faults = faults
        self.audit = audit
        self.access = access
        self.certificate = certificate
        self.envoy = envoy
        self.url = url
        self.port = port
        self.kubeconfigPath = kubeconfigPath
        self.trafficURL = trafficURL
        self.metrics = metrics
        self.meshes = meshes
        self.servers = servers
        self.simulators = simulators
    }

    /// The configuration of a client for this sandbox, without a client-side rate limit.
    public var clientConfiguration: ClientConfiguration {
        var configuration = ClientConfiguration(server: url, source: "sandbox \(url.absoluteString)")
        configuration.authentication = .bearerToken(TokenAuthority.adminToken)
        if let certificate { configuration.tls = TLSSettings(trustRoots: [certificate.certificate]) }
        configuration.qps = 0
        return configuration
    }

    /// A client for this sandbox, without a client-side rate limit. Shut it down when done.
    public func client(logger: Logger = Logger(label: "serin.kube-client")) -> KubeClient {
        KubeClient(configuration: clientConfiguration, logger: logger)
    }

    /// Sends `seconds` worth of synthetic traffic now (for tests that run with `simulateTraffic` off).
    public func stepTraffic(seconds: Double) async {
        let simulator = TrafficSimulator(store: store, meshes: meshes, metrics: metrics)
        await simulator.step(seconds: seconds, resolver: ServiceResolver(store: store, meshes: meshes))
    }

    /// Stops serving and ends every watch.
    public func stop() async {
        await store.closeAllWatches()
        simulators.cancel()
        for server in servers { await server.stop() }
        _ = await simulators.result
        await envoy?.stop()
    }

    /// Writes a kubeconfig that authenticates as a ServiceAccount (with a token issued now), for a client that
    /// must run under that account's RBAC, as a pod would.
    public func writeKubeconfig(serviceAccount name: String, namespace: String, to path: String) async throws {
        guard let access else {
            throw SandboxError(step: "write a kubeconfig for \(namespace)/\(name)", reason: "the sandbox runs without authorization")
        }
        let token = try await access.issueToken(serviceAccount: name, namespace: namespace)
        try Sandbox.writeKubeconfig(
            server: url, certificate: certificate?.certificatePEM, to: path,
            user: "system:serviceaccount:\(namespace):\(name)", token: token, namespace: namespace)
    }

    static func writeKubeconfig(
        server: URL, certificate: String? = nil, to path: String, user: String = "sandbox",
        token: String = TokenAuthority.adminToken, namespace: String = "default"
    ) throws {
        let authority = certificate.map { "\n    certificate-authority-data: " + Data($0.utf8).base64EncodedString() } ?? ""
        let text = """
            apiVersion: v1
            kind: Config
            current-context: sandbox
            clusters:
            - name: sandbox
              cluster:
                server: \(server.absoluteString)\(authority)
            contexts:
            - name: sandbox
              context:
                cluster: sandbox
                user: "\(user)"
                namespace: \(namespace)
            users:
            - name: "\(user)"
              user:
                token: \(token)
            """
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw SandboxError(step: "write the kubeconfig \(path)", reason: error.localizedDescription)
        }
    }
}
