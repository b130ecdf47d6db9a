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
    /// How many Canaries are reconciled at once.
    public var concurrency = 4
    /// The `source.component` of Events.
    public var component = "serin"

    public init(metricsServer: String) { self.metricsServer = metricsServer }
}
