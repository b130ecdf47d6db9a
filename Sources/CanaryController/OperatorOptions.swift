import CanaryAPI
import Foundation
import Notifiers
import OutboundHTTP
import Routers
import Targets
import OTLPTracing
import Webhooks

/// How the canary operator runs.
public struct OperatorOptions: Sendable {
    /// Prometheus for built-in metrics and templates without an address (`--metrics-server`).
    public var metricsServer: String
    /// Watch one namespace only (`--namespace`); `nil` watches all.
    public var namespace: String?
    /// The shortest analysis interval honoured (Flagger: 10 s).
    public var minimumInterval: Duration = .seconds(10)
    /// The labels naming a workload's pods, first match wins (`--selector-labels`).
    public var selectorLabels = ["app", "name", "app.kubernetes.io/name"]
    /// ConfigMaps and Secrets the target uses are part of its revision (`--enable-config-tracking`, default).
    public var configTracking = true
    /// Rollout budgets: follow Serin's RolloutPolicies (`--rollout-policies`; their CRD must be installed).
    public var rolloutPolicies = false
    /// Prefixes of the target's labels and annotations copied to the primary (`--include-label-prefix`).
    public var includeLabelPrefixes: [String] = []

    /// What the targets are built with.
    var targetOptions: TargetOptions {
        var options = TargetOptions()
        options.selectorLabels = selectorLabels
        options.configTracking = configTracking
        options.labels = LabelCopier(prefixes: includeLabelPrefixes)
        return options
    }
    /// How many Canaries are reconciled at once. A reconcile waits on webhooks and metric queries, so this
    /// bounds how many slow receivers can hold others back.
    public var concurrency = 16
    /// The executors reconciles and watches run on, taken in turn (`--enable-event-loop-executor`: one per
    /// event loop of the API client); empty: Swift's default pool.
    public var executors: [any TaskExecutor] = []

    /// The executor the `index`th worker or watch prefers, if any: the executors taken in turn.
    func executor(for index: Int) -> (any TaskExecutor)? {
        executors.isEmpty ? nil : executors[index % executors.count]
    }
    /// The `source.component` of Events.
    public var component = "serin"
    /// Events per Canary: a burst, then one per `refill` (client-go allows one per 5 minutes).
    public var eventBurst = 25
    public var eventRefill: Duration = .seconds(10)
    /// Proxies for webhooks and metric providers (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`).
    public var proxies: ProxySettings = .fromEnvironment()
    /// The environment metric providers read cloud credentials from (CloudWatch's `AWS_*`, as the AWS SDKs do).
    public var providerEnvironment: [String: String] = ProcessInfo.processInfo.environment
    /// Receives every event of Canaries without `event` webhooks (`--event-webhook`, `EVENT_WEBHOOK_URL`).
    public var eventWebhook: String?
    /// Bearer tokens for webhook URLs (`--webhook-token`).
    public var webhookCredentials: [WebhookCredential] = []

    /// The provider of Canaries without `spec.provider` (`--mesh-provider`). The operator watches only what
    /// this provider's router (and the `kubernetes` one, which needs no CRD) reads.
    public var meshProvider = MeshProvider.default
    /// References to other namespaces allowed; `false` with `--no-cross-namespace-refs` (Flagger's flag).
    public var crossNamespaceRefs = true
    /// What some routers take: ingress-nginx's annotation prefix, Contour's ingress class.
    public var routerSettings = RouterSettings()
    /// The port of `/metrics`, `/healthz` and `/readyz` (`--port`, 0 picks a free one); `nil` serves none.
    public var httpPort: Int?
    /// The address the HTTP endpoints listen on.
    public var httpHost = "0.0.0.0"
    /// The global alert providers (`--slack-url` or `--msteams-url`, `--wecom-url`, `--dingtalk-url`,
    /// `--feishu-url`): the alerts of every Canary without `analysis.alerts` go there.
    public var alertProviders: [(type: AlertProviderType, config: NotifierConfig)] = []
    /// `--alert-stuck-gate-after`: one more alert when an approval gate has held a Canary this long.
    public var stuckGateAfter: Duration? = .seconds(3600)
    /// Where rollout traces go (`OTEL_EXPORTER_OTLP_*`); `nil` (the default) exports none.
    public var tracing: OTLPSettings?
    /// How many times a failed alert is tried again, and the first delay (doubling).
    public var alertRetries = 2
    public var alertRetryDelay: Duration = .seconds(1)
    /// `--cluster-name`: the "Cluster" field of every alert.
    public var clusterName = ""
    /// Reported in `flagger_info{version}`.
    public var version = "dev"

    public init(metricsServer: String) { self.metricsServer = metricsServer }
}

extension OperatorOptions {
    /// What validation needs of these options: the default provider, the routers run, and whether references
    /// may leave a Canary's namespace.
    func validationContext(routers: Set<MeshProvider>) -> ValidationContext {
        var context = RouterRegistry.validationContext(meshProvider: meshProvider, routers: routers, targets: TargetRegistry.implemented)
        context.crossNamespaceRefs = crossNamespaceRefs
        return context
    }
}
