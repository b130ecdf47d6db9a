/// What answers a MetricTemplate's query: `MetricTemplate.spec.provider.type`, Flagger's CRD enum.
///
/// Which types this operator can query is the metric provider registry's answer; an unknown or
/// unsupported type fails the check naming it (Flagger falls back to Prometheus).
public enum MetricProviderType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case prometheus, influxdb, datadog, externalmetrics, stackdriver, cloudwatch, newrelic, graphite, dynatrace, keptn, splunk
    /// Serin's: any JSON endpoint, one number read by a JSONPath (`docs/metrics.md`).
    case web
    /// Serin's: a Kubernetes Job per check, 1 when it succeeds and 0 when it fails (`docs/metrics.md`).
    case job

    public init(parsing text: String) throws(UnknownValueError) {
        guard let type = MetricProviderType(rawValue: text) else {
            throw UnknownValueError(value: text, known: MetricProviderType.allCases.map(\.rawValue))
        }
        self = type
    }

    public var description: String { rawValue }
}
