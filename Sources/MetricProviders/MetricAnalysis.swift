import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import OutboundHTTP

/// Runs a Canary's metric checks for one analysis step and words each failure as Flagger does.
///
/// Order: built-in metrics, inline queries, then templated metrics; the first failure ends the step.
public struct MetricAnalysis: Sendable {
    let templates: ObjectCache<DynamicObject>
    let secrets: ResourceClient<JSONValue>
    /// `--metrics-server`: where built-in metrics and templates without an address are queried.
    let metricsServer: String
    /// Outbound HTTP to metric providers (proxies from the operator's options).
    let http: OutboundHTTP

    public init(client: KubeClient, templates: ObjectCache<DynamicObject>, metricsServer: String, http: OutboundHTTP = OutboundHTTP()) {
        self.templates = templates
        self.secrets = client.resource(.secrets, as: JSONValue.self)
        self.metricsServer = metricsServer
        self.http = http
    }

    public func run(_ canary: Canary) async -> CheckResults {
        var values: [String: Double] = [:]
        for metric in canary.spec.analysis?.metrics ?? [] {
            if let failure = await check(metric, canary: canary, values: &values) { return CheckResults(failures: [failure], values: values) }
        }
        return CheckResults(failures: [], values: values)
    }

    /// One metric: `nil` when it passes, else the message of the failure.
    func check(_ metric: CanaryMetric, canary: Canary, values: inout [String: Double]) async -> String? {
        let server = canary.spec.metricsServer ?? metricsServer
        let interval = metric.interval ?? CanaryDefaults.metricInterval
        let templateValues = ["name": canary.metadata.name ?? "", "namespace": canary.namespace, "target": canary.targetName,
                      "service": canary.serviceName, "interval": interval]
        if metric.templateRef == nil, metric.query == nil {
            return await builtin(metric, canary: canary, server: server, template: QueryTemplate(values: templateValues), values: &values)
        }
        if let query = metric.query, metric.templateRef == nil {
            return await custom(metric, canary: canary, provider: PrometheusProvider(address: server, http: http), query: query,
                                template: QueryTemplate(values: templateValues), values: &values)
        }
        guard let reference = metric.templateRef else { return nil }
        let namespace = reference.namespace ?? canary.namespace
        guard let object = templates.get(namespace: namespace, name: reference.name) else {
            return "Metric template \(reference.name).\(namespace) error: metrictemplate.flagger.app \"\(reference.name)\" not found"
        }
        let template: MetricTemplate
        do { template = try object.json.decode(as: MetricTemplate.self) } catch {
            return "Metric template \(reference.name).\(namespace) error: \(error)"
        }
        if template.spec.provider.insecureSkipVerify == true {
            return "Metric template \(reference.name).\(namespace) provider.insecureSkipVerify is not supported yet (TLS verification is always on)"
        }
        for variable in ["ingress", "route"] where QueryTemplate.uses(variable, in: template.spec.query) {
            return "Metric template \(reference.name).\(namespace) query uses {{ \(variable) }}, which is not supported yet (no ingress or Gateway API router)"
        }
        guard template.spec.provider.type == "prometheus" else {
            return "Metric template \(reference.name).\(namespace) provider \(template.spec.provider.type) error: provider not supported yet (supported: prometheus)"
        }
        let authorization: String?
        do { authorization = try await self.authorization(template, namespace: namespace) } catch {
            return "Metric template \(reference.name).\(namespace) secret \(template.spec.provider.secretRef?.name ?? "") error: \(error)"
        }
        let provider = PrometheusProvider(address: template.spec.provider.address ?? server, authorization: authorization,
                                          headers: template.spec.provider.headers ?? [:], http: http)
        return await custom(metric, canary: canary, provider: provider, query: template.spec.query,
                            template: QueryTemplate(values: templateValues, variables: metric.templateVariables ?? [:]), values: &values)
    }

    private func builtin(_ metric: CanaryMetric, canary: Canary, server: String, template: QueryTemplate,
                         values: inout [String: Double]) async -> String? {
        let isRate = metric.name == "request-success-rate"
        let value: Double
        do {
            let query = try template.render(isRate ? BuiltinQueries.istioSuccessRate : BuiltinQueries.istioRequestDuration)
            value = try await PrometheusProvider(address: server, http: http).query(query)
        } catch where error.kind == .noValues {
            let base = "Halt advancement no values found for istio metric \(metric.name) probably \(canary.dottedName) is not receiving traffic"
            return isRate ? "\(base): \(error)" : base
        } catch where error.kind == .notFinite {
            return "Halt \(canary.dottedName) advancement \(metric.name): \(error)"
        } catch {
            return "Prometheus query failed: \(error)"
        }
        if isRate, !(0...100).contains(value) {
            return "Halt \(canary.dottedName) advancement request-success-rate: the query returned \(value), not a percentage (0-100)"
        }
        values[metric.name] = isRate ? value : value / 1000
        let range = metric.thresholdRange ?? ThresholdRange(min: isRate ? metric.threshold : nil, max: isRate ? nil : metric.threshold)
        if isRate {
            if let min = range.min, value < min { return "Halt \(canary.dottedName) advancement success rate \(String(format: "%.2f", value))% < \(goNumber(min))%" }
            if let max = range.max, value > max { return "Halt \(canary.dottedName) advancement success rate \(String(format: "%.2f", value))% > \(goNumber(max))%" }
            return nil
        }
        let milliseconds = value.rounded(.down)
        if let max = range.max, milliseconds > max { return "Halt \(canary.dottedName) advancement request duration \(goDuration(milliseconds)) > \(goDuration(max))" }
        if let min = range.min, milliseconds < min { return "Halt \(canary.dottedName) advancement request duration \(goDuration(milliseconds)) < \(goDuration(min))" }
        return nil
    }

    private func custom(_ metric: CanaryMetric, canary: Canary, provider: PrometheusProvider, query: String, template: QueryTemplate,
                        values: inout [String: Double]) async -> String? {
        let value: Double
        do {
            value = try await provider.query(try template.render(query))
        } catch where error.kind == .noValues {
            return "Halt advancement no values found for custom metric: \(metric.name): \(error)"
        } catch where error.kind == .notFinite {
            return "Halt \(canary.dottedName) advancement \(metric.name): \(error)"
        } catch where error.kind == .render {
            return "Metric template query render error for \(metric.name): \(error)"
        } catch {
            return "Metric query failed for \(metric.name): \(error)"
        }
        values[metric.name] = value
        let range = metric.thresholdRange ?? ThresholdRange(max: metric.threshold)
        if let min = range.min, value < min { return "Halt \(canary.dottedName) advancement \(metric.name) \(String(format: "%.2f", value)) < \(goNumber(min))" }
        if let max = range.max, value > max { return "Halt \(canary.dottedName) advancement \(metric.name) \(String(format: "%.2f", value)) > \(goNumber(max))" }
        return nil
    }

    private func authorization(_ template: MetricTemplate, namespace: String) async throws -> String? {
        guard let name = template.spec.provider.secretRef?.name else { return nil }
        let secret = try await secrets.get(name, namespace: namespace)
        func field(_ key: String) -> String? {
            secret[path: "data", key]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        if let token = field("token") { return "Bearer \(token)" }
        if let user = field("username"), let password = field("password") {
            return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
        throw MetricError.configuration("secret \(name) has neither token nor username and password")
    }
}

/// A number as Go's `%v` prints a float64: `99`, `99.5`.
func goNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}

/// Milliseconds as Go prints a `time.Duration`: `500ms`, `1.5s`.
func goDuration(_ milliseconds: Double) -> String {
    GoDuration(.clampedSeconds(milliseconds / 1000)).description
}
