import ArgumentParser
import CanaryAPI
import CanaryController
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Metrics
import Notifiers
import Prometheus
import Routers
import ServiceLifecycle
import OTLPTracing
import UnixSignals
import Webhooks

/// `serin operator`: the canary controller, with Flagger's flags where Flagger has them.
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "Run the canary operator (Flagger's flagger.app/v1beta1 API) against a cluster.",
        discussion: "Serves /metrics, /healthz and /readyz on --port. Stops cleanly on SIGTERM or Ctrl-C (the Lease is released).")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Watch Canaries in this namespace only (default: all namespaces).")
    var namespace: String?

    @Option(help: "Prometheus URL for built-in metrics and templates without an address.")
    var metricsServer = "http://prometheus:9090"

    @Option(
        help:
            "The provider of Canaries without spec.provider (supported: istio, gatewayapi:v1, gatewayapi:v1beta1, nginx, skipper, linkerd, osm, contour, traefik, apisix, gloo, kubernetes)."
    )
    var meshProvider = "istio"

    @Option(help: "The prefix of the ingress-nginx annotations the nginx provider writes.")
    var ingressAnnotationsPrefix = "nginx.ingress.kubernetes.io"

    @Option(help: "The ingressClassName of the HTTPProxies the contour provider writes (default: none).")
    var ingressClass: String?

    @Option(help: "What the kuma provider writes: TrafficRoute (Flagger's) or MeshHTTPRoute (Kuma 2.x).")
    var kumaPolicy = "TrafficRoute"

    @Option(help: "Comma-separated label keys that name a workload's pods, first match wins.")
    var selectorLabels = "app,name,app.kubernetes.io/name"

    @Option(help: "Comma-separated prefixes of target labels and annotations copied to the primary ('*' for all).")
    var includeLabelPrefix = ""

    @Flag(
        inversion: .prefixedEnableDisable,
        help: "Track the ConfigMaps and Secrets a target uses: a change to one is a new revision, analysed before the primary gets it.")
    var configTracking = true

    @Flag(help: "Follow Serin's RolloutPolicies: rollout budgets shared by the Canaries they select (needs the CRD rolloutpolicies.serin.dev).")
    var rolloutPolicies = false

    @Option(
        help: ArgumentHelp(
            "A kubeconfig for the service mesh's control-plane cluster, where the routing objects (VirtualServices, HTTPRoutes, TrafficSplits…) are written; they name their Canary by annotation.",
            valueName: "path"))
    var kubeconfigServiceMesh: String?

    @Flag(help: "Refuse Canaries whose MetricTemplates, AlertProviders, Gloo upstream or webhook Services are in another namespace.")
    var noCrossNamespaceRefs = false

    @Flag(help: "Run as one of several replicas: only the holder of the Lease drives Canaries.")
    var enableLeaderElection = false

    @Option(help: "The namespace of the Lease (default: --namespace, else kube-system).")
    var leaderElectionNamespace: String?

    @Option(
        help: ArgumentHelp(
            "Share the Canaries with other replicas by shard: this replica's own shard N of M. Each shard has a Lease; a replica takes over the shards of one that dies.",
            valueName: "N/M"))
    var shard: String?

    @Option(help: "The port of /metrics, /healthz and /readyz.")
    var port = 8080

    @OptionGroup var log: LogOptions

    @OptionGroup var alerting: AlertOptions

    @Option(help: "Also post every event to this URL, for Canaries without event webhooks (env EVENT_WEBHOOK_URL).")
    var eventWebhook: String?

    @Option(
        help: ArgumentHelp(
            "Send 'Authorization: Bearer <token>' to webhook URLs starting with a prefix, the token read from a file (repeatable).",
            valueName: "url-prefix=token-file"))
    var webhookToken: [String] = []

    @Option(help: "Requests per second to the Kubernetes API (shared by all Canaries).")
    var kubeQps = 100.0

    @Option(help: "Burst of requests to the Kubernetes API.")
    var kubeBurst = 250

    @Option(help: "How many Canaries are reconciled at once.")
    var concurrency = 16

    @Option(help: "glibc malloc arenas (0: glibc's default of 8 per core; MALLOC_ARENA_MAX wins).")
    var mallocArenas = 2

    @Option(help: "How often memory freed by the allocator is given back to the system (0s: never).")
    var memoryTrimInterval = "60s"

    @Option(help: "The shortest analysis interval honoured, as a Go duration (Flagger: 10s).")
    var minAnalysisInterval = "10s"

    @Flag(
        inversion: .prefixedEnableDisable,
        help:
            "Run reconciles and watches on the API client's event loops, spread over all of them, instead of Swift's default pool: no thread hop per API call."
    )
    var eventLoopExecutor = true

    var eventWebhookURL: String? { eventWebhook ?? ProcessInfo.processInfo.environment["EVENT_WEBHOOK_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    func validate() throws {
        try OperatorFlags.check(self)
        _ = try alerting.providers()  // a global alert provider that cannot be built is refused before connecting
        _ = try alerting.stuckGateAfter()
        _ = try OperatorCommand.tracing()
    }

    func run() async throws {
        ProcessMemory.limitArenas(to: mallocArenas)  // before the threads that would create arenas
        log.bootstrap()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))  // serin_* metrics on the same /metrics
        let logger = Logger(label: "serin.operator")
        var configuration = try cluster.configuration()
        configuration.qps = kubeQps
        configuration.burst = kubeBurst
        let options = try operatorOptions()
        var elector: LeaderElector?
        var shards: ShardedLeadership?
        var leaseClient: KubeClient?
        let assignment = shard.flatMap(ShardAssignment.init(parsing:))
        if enableLeaderElection || assignment != nil {
            let identity = "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())"
            configuration.userAgent += " \(identity)"  // which replica made a request, in the API server's audit log
            let config = LeaderElector.Config(
                leaseName: "serin-leader-election",
                namespace: leaderElectionNamespace ?? namespace ?? "kube-system", identity: identity)
            let unfenced = KubeClient(configuration: configuration, logger: logger)  // the Leases themselves are never fenced
            leaseClient = unfenced
            if let assignment {
                let sharded = ShardedLeadership(client: unfenced, config: config, assignment: assignment, logger: logger)
                configuration.writeFence = sharded  // a Canary is written only by the holder of its shard
                shards = sharded
            } else {
                let created = LeaderElector(client: unfenced, config: config)
                configuration.writeFence = created.fence  // only the leader writes
                elector = created
            }
        }
        let client = KubeClient(configuration: configuration, logger: logger)
        let meshClient = try meshConfiguration(fencedLike: configuration).map { KubeClient(configuration: $0, logger: logger) }
        let canaryOperator = CanaryOperator(
            client: client, meshClient: meshClient, options: options, elector: elector, shards: shards, registry: registry, logger: logger)
        logger.info(
            "starting",
            metadata: [
                "cluster": "\(configuration.source)", "serviceMesh": "\(meshClient?.configuration.source ?? "the same")",
                "metricsServer": "\(Redaction.url(metricsServer))", "port": "\(port)",
                "leaderElection": "\(enableLeaderElection)", "shard": "\(shard ?? "none")", "version": "\(SerinVersion.current)",
                "executor": "\(eventLoopExecutor ? "event loops" : "default")",
            ])
        var groupConfiguration = ServiceGroupConfiguration(services: [.init(service: canaryOperator)], logger: logger)
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        // In-flight reconciles finish on SIGTERM; whatever still runs after this is cancelled, so the
        // process always exits within Kubernetes' default 30 s grace period.
        groupConfiguration.maximumGracefulShutdownDuration = OperatorCommand.shutdownDeadline
        groupConfiguration.maximumCancellationDuration = .seconds(3)
        let group = ServiceGroup(configuration: groupConfiguration)
        let trimInterval = try GoDuration(parsing: memoryTrimInterval).duration
        let trimming = trimInterval > .zero ? Task { await ProcessMemory.trimPeriodically(every: trimInterval, logger: logger) } : nil
        defer { trimming?.cancel() }
        let outcome: Result<Void, any Error>
        do { try await group.run(); outcome = .success(()) } catch { outcome = .failure(error) }
        try await client.shutdown()
        try await meshClient?.shutdown()
        try await leaseClient?.shutdown()
        if case .failure(let error) = outcome {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// The service mesh cluster's client configuration (`--kubeconfig-service-mesh`), with the operator's rate
    /// limits and write fence; `nil` without the flag or when it names the operator's own API server. A file that
    /// cannot be used is named with the key at fault, then exit 1.
    func meshConfiguration(fencedLike main: ClientConfiguration) throws -> ClientConfiguration? {
        guard let path = kubeconfigServiceMesh else { return nil }
        var mesh: ClientConfiguration
        do { mesh = try ClientConfiguration.infer(explicitKubeconfig: path, context: nil) } catch {
            Console.error("error: --kubeconfig-service-mesh: \(error)")
            throw ExitCode.failure
        }
        guard mesh.server != main.server else { return nil }
        mesh.qps = main.qps
        mesh.burst = main.burst
        mesh.userAgent = main.userAgent
        mesh.writeFence = main.writeFence  // only the leader (or the shard's holder) writes, in either cluster
        mesh.separateCluster = true
        return mesh
    }

    /// How long a graceful shutdown may take before the rest is cancelled.
    static let shutdownDeadline: Duration = .seconds(20)

    func operatorOptions() throws -> OperatorOptions {
        var options = OperatorOptions(metricsServer: metricsServer)
        options.namespace = namespace
        options.minimumInterval = try GoDuration(parsing: minAnalysisInterval).duration
        options.selectorLabels = OperatorFlags.list(selectorLabels)
        options.configTracking = configTracking
        options.rolloutPolicies = rolloutPolicies
        options.includeLabelPrefixes = OperatorFlags.list(includeLabelPrefix)
        options.meshProvider = try OperatorFlags.meshProvider(meshProvider)
        options.crossNamespaceRefs = !noCrossNamespaceRefs
        options.routerSettings.ingressAnnotationsPrefix = try OperatorFlags.annotationPrefix(ingressAnnotationsPrefix)
        options.routerSettings.ingressClass = ingressClass
        options.routerSettings.kumaPolicy = try OperatorFlags.kumaPolicy(kumaPolicy)
        options.concurrency = concurrency
        // Reconciles and watches on the loops that also serve the API client's connections (the endpoints
        // keep a thread of their own). Nothing they run blocks a thread: credential plugins have their own.
        if eventLoopExecutor { options.executors = EventLoopTaskExecutor.clientLoops() }
        options.httpPort = port
        options.version = SerinVersion.current
        options.eventWebhook = eventWebhookURL
        options.webhookCredentials = try webhookCredentials()
        options.clusterName = alerting.clusterName
        options.alertProviders = try alerting.providers()
        options.stuckGateAfter = try alerting.stuckGateAfter()
        options.tracing = try OperatorCommand.tracing()
        return options
    }

    /// Rollout traces from the standard `OTEL_*` variables; a variable that cannot be used is refused at start.
    static func tracing() throws -> OTLPSettings? {
        do { return try OTLPSettings.from(environment: ProcessInfo.processInfo.environment) } catch { throw ValidationError("\(error)") }
    }

    /// `--webhook-token url-prefix=token-file`, each file read and trimmed.
    func webhookCredentials() throws -> [WebhookCredential] {
        try webhookToken.map { entry in
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--webhook-token: \"\(entry)\" is not url-prefix=token-file")
            }
            let token = try LoadTesterCommand.readToken(String(entry[entry.index(after: equals)...]), flag: "--webhook-token")
            return WebhookCredential(urlPrefix: String(entry[..<equals]), token: token)
        }
    }
}
