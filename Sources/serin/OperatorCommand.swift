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
import ServiceLifecycle
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

    @Option(help: "The provider of Canaries without spec.provider (supported: istio, kubernetes).")
    var meshProvider = "istio"

    @Option(help: "Comma-separated label keys that name a workload's pods, first match wins.")
    var selectorLabels = "app,name,app.kubernetes.io/name"

    @Option(help: "Comma-separated prefixes of target labels and annotations copied to the primary ('*' for all).")
    var includeLabelPrefix = ""

    @Flag(inversion: .prefixedEnableDisable, help: "Track the ConfigMaps and Secrets a target uses: a change to one is a new revision, analysed before the primary gets it.")
    var configTracking = true

    @Flag(help: "Run as one of several replicas: only the holder of the Lease drives Canaries.")
    var enableLeaderElection = false

    @Option(help: "The namespace of the Lease (default: --namespace, else kube-system).")
    var leaderElectionNamespace: String?

    @Option(help: "The port of /metrics, /healthz and /readyz.")
    var port = 8080

    @OptionGroup var log: LogOptions

    @Option(help: "The cluster's name, the \"Cluster\" field of every alert.")
    var clusterName = ""

    @Option(help: "Slack incoming-webhook URL for every Canary's alerts (env SLACK_URL).")
    var slackURL = ""

    @Option(help: "Slack bot token, sent as Authorization: Bearer (env SLACK_TOKEN).")
    var slackToken = ""

    @Option(help: "Proxy for posting to Slack (env SLACK_PROXY_URL).")
    var slackProxyURL = ""

    @Option(help: "Slack user name of the alerts.")
    var slackUser = "flagger"

    @Option(help: "Slack channel of the alerts.")
    var slackChannel = ""

    @Option(help: "MS Teams incoming-webhook URL for every Canary's alerts, instead of Slack (env MSTEAMS_URL).")
    var msteamsURL = ""

    @Option(help: "Proxy for posting to MS Teams (env MSTEAMS_PROXY_URL).")
    var msteamsProxyURL = ""

    @Option(help: "Also post every event to this URL, for Canaries without event webhooks (env EVENT_WEBHOOK_URL).")
    var eventWebhook: String?

    @Option(help: ArgumentHelp("Send 'Authorization: Bearer <token>' to webhook URLs starting with a prefix, the token read from a file (repeatable).",
                               valueName: "url-prefix=token-file"))
    var webhookToken: [String] = []

    @Option(help: "Requests per second to the Kubernetes API (shared by all Canaries).")
    var kubeQps = 100.0

    @Option(help: "Burst of requests to the Kubernetes API.")
    var kubeBurst = 250

    @Option(help: "How many Canaries are reconciled at once.")
    var concurrency = 16

    @Option(help: "The shortest analysis interval honoured, as a Go duration (Flagger: 10s).")
    var minAnalysisInterval = "10s"

    var eventWebhookURL: String? { eventWebhook ?? ProcessInfo.processInfo.environment["EVENT_WEBHOOK_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    func validate() throws {
        try OperatorFlags.check(self)
        _ = try alertProvider()  // a global alert provider that cannot be built is refused before connecting
    }

    func run() async throws {
        log.bootstrap()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))  // serin_* metrics on the same /metrics
        let logger = Logger(label: "serin.operator")
        var configuration = try cluster.configuration()
        configuration.qps = kubeQps
        configuration.burst = kubeBurst
        let options = try operatorOptions()
        var elector: LeaderElector?
        var leaseClient: KubeClient?
        if enableLeaderElection {
            let identity = "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())"
            configuration.userAgent += " \(identity)"  // which replica made a request, in the API server's audit log
            let config = LeaderElector.Config(leaseName: "serin-leader-election",
                                              namespace: leaderElectionNamespace ?? namespace ?? "kube-system", identity: identity)
            let unfenced = KubeClient(configuration: configuration, logger: logger)  // the Lease itself is never fenced
            leaseClient = unfenced
            let created = LeaderElector(client: unfenced, config: config)
            configuration.writeFence = created.fence  // only the leader writes
            elector = created
        }
        let client = KubeClient(configuration: configuration, logger: logger)
        let canaryOperator = CanaryOperator(client: client, options: options, elector: elector, registry: registry, logger: logger)
        logger.info("starting", metadata: ["cluster": "\(configuration.source)", "metricsServer": "\(metricsServer)", "port": "\(port)",
                                           "leaderElection": "\(enableLeaderElection)", "version": "\(SerinVersion.current)"])
        var groupConfiguration = ServiceGroupConfiguration(services: [.init(service: canaryOperator)], logger: logger)
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        // In-flight reconciles finish on SIGTERM; whatever still runs after this is cancelled, so the
        // process always exits within Kubernetes' default 30 s grace period.
        groupConfiguration.maximumGracefulShutdownDuration = OperatorCommand.shutdownDeadline
        groupConfiguration.maximumCancellationDuration = .seconds(3)
        let group = ServiceGroup(configuration: groupConfiguration)
        let outcome: Result<Void, any Error>
        do { try await group.run(); outcome = .success(()) } catch { outcome = .failure(error) }
        try await client.shutdown()
        try await leaseClient?.shutdown()
        if case .failure(let error) = outcome {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// How long a graceful shutdown may take before the rest is cancelled.
    static let shutdownDeadline: Duration = .seconds(20)

    func operatorOptions() throws -> OperatorOptions {
        var options = OperatorOptions(metricsServer: metricsServer)
        options.namespace = namespace
        options.minimumInterval = try GoDuration(parsing: minAnalysisInterval).duration
        options.selectorLabels = OperatorFlags.list(selectorLabels)
        options.configTracking = configTracking
        options.includeLabelPrefixes = OperatorFlags.list(includeLabelPrefix)
        options.meshProvider = try OperatorFlags.meshProvider(meshProvider)
        options.concurrency = concurrency
        options.httpPort = port
        options.version = SerinVersion.current
        options.eventWebhook = eventWebhookURL
        options.webhookCredentials = try webhookCredentials()
        options.clusterName = clusterName
        options.alertProvider = try alertProvider()
        return options
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

    /// Flagger's global notifier: MS Teams when its URL is set, else Slack when its URL is set (flags or env);
    /// one that cannot be built is refused at start-up, naming the flag but not the URL.
    func alertProvider() throws -> (type: AlertProviderType, config: NotifierConfig)? {
        let environment = ProcessInfo.processInfo.environment
        func value(_ flag: String, _ variable: String) -> String { flag.isEmpty ? environment[variable] ?? "" : flag }
        let teams = value(msteamsURL, "MSTEAMS_URL"), slack = value(slackURL, "SLACK_URL")
        let provider: (type: AlertProviderType, config: NotifierConfig, flag: String)
        if !teams.isEmpty {
            provider = (.msteams, NotifierConfig(address: teams, proxy: value(msteamsProxyURL, "MSTEAMS_PROXY_URL")), "--msteams-url")
        } else if !slack.isEmpty {
            provider = (.slack, NotifierConfig(address: slack, channel: slackChannel, username: slackUser, proxy: value(slackProxyURL, "SLACK_PROXY_URL"),
                                                token: value(slackToken, "SLACK_TOKEN")), "--slack-url")
        } else {
            return nil
        }
        do { _ = try NotifierRegistry.registration(for: provider.type)?.make(provider.config) } catch {
            throw ValidationError("\(provider.flag): \(error)")
        }
        return (provider.type, provider.config)
    }
}
