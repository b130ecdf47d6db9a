import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import MetricProviders
import OutboundHTTP
import Synchronization

/// Runs a Canary's metric checks for one analysis step: resolves templates and secrets, queries the
/// providers, and hands each outcome to ``MetricJudge``.
///
/// Order: built-in metrics, inline queries, then templated metrics; the first failure ends the step.
/// Built-in metrics and inline queries go to Prometheus at `spec.metricsServer` (else `--metrics-server`)
/// with the queries of the Canary's router; templates go to the provider they name.
public struct MetricAnalysis: Sendable {
    let templates: ObjectCache<DynamicObject>
    let secrets: ResourceClient<JSONValue>
    /// The operator's own access to its cluster (External Metrics).
    let cluster: ClusterAccess
    /// `--metrics-server`: where built-in metrics and templates without an address are queried.
    let metricsServer: String
    /// Outbound HTTP to metric providers (proxies from the operator's options).
    let http: OutboundHTTP
    /// The operator's clock: query windows end at its date.
    let clock: OperatorClock
    /// Where providers find cloud credentials (CloudWatch's `AWS_*`).
    let environment: [String: String]

    public init(
        client: KubeClient, templates: ObjectCache<DynamicObject>, metricsServer: String, http: OutboundHTTP = OutboundHTTP(),
        clock: OperatorClock = .system, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.environment = environment
        self.templates = templates
        self.secrets = client.resource(.secrets, as: JSONValue.self)
        self.cluster = MetricAnalysis.clusterAccess(client)
        self.metricsServer = metricsServer
        self.http = http
        self.clock = clock
    }

    /// Runs every metric of the Canary's analysis.
    ///
    /// - Parameters:
    ///   - mesh: the Canary's provider, as Flagger names it in "no values found for <mesh> metric".
    ///   - queries: what the built-in metrics mean for that provider's telemetry.
    public func run(_ canary: Canary, mesh: MeshProvider, queries: BuiltinQueries) async -> CheckResults {
        var results = CheckResults(failures: [])
        var judged: [StepVerdict.Judged] = []
        // During a bake the new primary is analysed: the bake's metrics, `{{ target }}` rendered as the primary.
        for metric in canary.isBaking ? canary.bakeMetrics : canary.spec.analysis?.metrics ?? [] {
            let decides = metric.dryRun != true
            if metric.compare == nil || metric.threshold != nil || metric.thresholdRange != nil {
                let (checked, query) = await check(metric, canary: canary, mesh: mesh, queries: queries)
                let verdict = MetricJudge.applying(metric.noDataPolicy ?? .fail, to: checked, metric: metric.name, canary: canary)
                if let value = verdict.value { results.values[metric.name] = value }
                let note = verdict.hold ?? (verdict.noData && verdict.failure == nil ? "no data: skipped (noData: skip)" : nil)
                var record = JournalEntry.Metric(
                    name: metric.name, query: query, value: verdict.value, threshold: MetricAnalysis.threshold(of: metric),
                    passed: verdict.failure == nil && verdict.hold == nil, message: verdict.failure ?? note)
                record.dryRun = decides ? nil : true
                results.records.append(record)
                if decides, let failure = verdict.failure { return results.failing(failure) }
                if decides, let hold = verdict.hold { results.held.append(hold) }
            }
            guard let compare = metric.compare else { continue }
            let compared = await self.compare(metric, compare, canary: canary, mesh: mesh, queries: queries)
            results.records.append(compared.record)
            guard decides else { continue }
            if let failure = compared.failure { return results.failing(failure) }
            if let hold = compared.hold { results.held.append(hold) }
            if let one = compared.judged { judged.append(one) }
        }
        guard !judged.isEmpty else { return results }
        let thresholds = canary.spec.analysis?.scoreThresholds
        let verdict = StepVerdict(
            judged, pass: thresholds?.pass ?? ScoreThresholds.defaultPass, marginal: thresholds?.marginal ?? ScoreThresholds.defaultMarginal)
        results.verdict = verdict
        guard verdict.outcome == .fail else { return results }
        let failed = results.records.filter { $0.comparison != nil && !$0.passed && $0.dryRun != true }.compactMap { record in
            record.message.map { "\(record.name) \($0)" }
        }
        return results.failing(
            "Halt \(canary.dottedName) advancement: the judge fails the step (\(verdict.reason)): \(failed.joined(separator: "; "))")
    }

    /// A metric's bounds as the journal shows them: `>= 99`, `<= 500`, `>= 1 and <= 5`. Pure.
    static func threshold(of metric: CanaryMetric) -> String? {
        let bounds = [metric.thresholdRange?.min.map { ">= \(goNumber($0))" }, metric.thresholdRange?.max.map { "<= \(goNumber($0))" }]
            .compactMap { $0 }
        if !bounds.isEmpty { return bounds.joined(separator: " and ") }
        return metric.threshold.map { "threshold \(goNumber($0))" }
    }

    /// One metric's verdict and the query as it was sent (`nil` when none was).
    func check(
        _ metric: CanaryMetric, canary: Canary, mesh: MeshProvider, queries: BuiltinQueries
    ) async -> (verdict: MetricJudge.Verdict, query: String?) {
        let sent = QuerySink()
        var verdict = await TaskLocalQuery.$sink.withValue(sent) { await judge(metric, canary: canary, mesh: mesh, queries: queries) }
        if let failure = verdict.failure, let explanation = sent.explanation { verdict.failure = "\(failure): \(explanation)" }
        return (verdict, sent.query)
    }

    /// What a query template's placeholders stand for, for one metric of a Canary. Pure. During a bake
    /// `{{ target }}` and `{{ variant }}` are the primary: it runs the new version at full traffic.
    static func placeholderValues(_ canary: Canary, metric: CanaryMetric) -> [String: String] {
        // `{{ ingress }}` and `{{ route }}` are `ingressRef`'s and `routeRef`'s names, else the target's (Flagger's `toMetricModel`).
        // For a Knative Service `{{ route }}` is the canary revision: the one analysed (Flagger: the latest created).
        let knativeRevision = canary.targetKind == .knativeService ? canary.status?.lastAppliedSpec.flatMap { $0.isEmpty ? nil : $0 } : nil
        let analysed = canary.isBaking ? canary.primaryName : canary.targetName  // during a bake, the new primary
        return [
            "name": canary.metadata.name ?? "", "namespace": canary.namespace, "target": analysed,
            "service": canary.serviceName, "variant": analysed, "interval": metric.interval ?? CanaryDefaults.metricInterval,
            "ingress": canary.spec.ingressRef?.name ?? canary.targetName,
            "route": knativeRevision ?? canary.spec.routeRef?.name ?? canary.targetName,
            // Serin's: the revision analysed, a StatefulSet's update revision (its pods' `controller-revision-hash`).
            "revision": canary.status?.lastAppliedSpec ?? "",
        ]
    }

    /// The names with every non-word character as `_` (the interval as it is), for ``BuiltinQueries/wordCharactersOnly``.
    public static func wordCharactersOnly(_ values: [String: String]) -> [String: String] {
        var encoded = values
        for (key, value) in values where key != "interval" {
            encoded[key] = String(
                value.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_") ? Character(scalar) : "_"
                })
        }
        return encoded
    }

    private func judge(_ metric: CanaryMetric, canary: Canary, mesh: MeshProvider, queries: BuiltinQueries) async -> MetricJudge.Verdict {
        let interval = metric.interval ?? CanaryDefaults.metricInterval
        let values = MetricAnalysis.placeholderValues(canary, metric: metric)
        let prometheus = prometheusConfig(canary, metric: metric)
        if let reference = metric.templateRef {
            return await templated(metric, reference: reference, canary: canary, values: values)
        }
        if let query = metric.query {
            let outcome = await outcome(of: query, template: QueryTemplate(values: values), type: .prometheus, config: prometheus)
            return MetricJudge.custom(metric, canary: canary, outcome: outcome)
        }
        guard let query = queries.query(for: metric.name) else {
            return MetricJudge.Verdict(failure: "Metric query failed for no usable metrics template and query were configured", value: nil)
        }
        let names = queries.wordCharactersOnly ? MetricAnalysis.wordCharactersOnly(values) : values
        if let minimum = metric.minRequests, minimum > 0, let countQuery = queries.requestCount {
            switch await self.outcome(of: countQuery, template: QueryTemplate(values: names), type: .prometheus, config: prometheus) {
            case .success(let count) where count < Double(minimum):
                return MetricJudge.tooFewRequests(metric, canary: canary, count: count, interval: interval)
            case .failure(let error) where error.kind == .noValues:
                return MetricJudge.tooFewRequests(metric, canary: canary, count: 0, interval: interval)
            case .failure(let error):
                return MetricJudge.Verdict(failure: "Prometheus query failed: \(error)", value: nil)
            case .success: break
            }
        }
        let outcome = await outcome(of: query, template: QueryTemplate(values: names), type: .prometheus, config: prometheus)
        return MetricJudge.builtin(
            metric, canary: canary, mesh: mesh.rawValue, outcome: outcome,
            durationToMilliseconds: queries.durationToMilliseconds)
    }

    private func templated(
        _ metric: CanaryMetric, reference: TemplateReference, canary: Canary,
        values: [String: String]
    ) async -> MetricJudge.Verdict {
        let source: TemplateSource
        switch await templateSource(metric, reference: reference, canary: canary) {
        case .success(let found): source = found
        case .failure(let failure): return MetricJudge.Verdict(failure: failure.message, value: nil)
        }
        let outcome = await outcome(
            of: source.template.spec.query, template: QueryTemplate(values: values, variables: metric.templateVariables ?? [:]),
            type: source.type, config: source.config)
        if case .failure(let error) = outcome, error.kind == .configuration {
            return MetricJudge.Verdict(failure: source.failure("provider \(source.type) error: \(error)").message, value: nil)
        }
        return MetricJudge.custom(metric, canary: canary, outcome: outcome)
    }

    /// A metric's template, its provider type and settings (secret read), or why they cannot be used.
    func templateSource(_ metric: CanaryMetric, reference: TemplateReference, canary: Canary) async -> Result<TemplateSource, TemplateFailure> {
        let namespace = reference.namespace ?? canary.namespace
        func failed(_ message: String) -> Result<TemplateSource, TemplateFailure> {
            .failure(TemplateFailure(message: "Metric template \(reference.name).\(namespace) \(message)"))
        }
        guard let object = templates.get(namespace: namespace, name: reference.name) else {
            return failed("error: metrictemplate.flagger.app \"\(reference.name)\" not found")
        }
        let template: MetricTemplate
        do { template = try object.json.decode(as: MetricTemplate.self) } catch { return failed("error: \(error)") }
        if let refusal = MetricAnalysis.refusal(of: template, spec: object.json["spec"] ?? [:]) { return failed(refusal) }
        let type: MetricProviderType
        do { type = try MetricProviderType(parsing: template.spec.provider.type) } catch { return failed("provider error: \(error)") }
        let address: String
        switch MetricAnalysis.address(of: template, canary: canary, metricsServer: metricsServer) {
        case .success(let chosen): address = chosen
        case .failure(let refusal): return failed(refusal.message)
        }
        var config = providerConfig(template, metric: metric, canary: canary, address: address)
        if let secret = template.spec.provider.secretRef?.name {
            do { config.secret = try await secretData(secret, namespace: namespace) } catch {
                return failed("secret \(secret) error: \(error)")
            }
        }
        return .success(TemplateSource(reference: "\(reference.name).\(namespace)", template: template, type: type, config: config))
    }

    /// Where built-in metrics and inline queries go: `spec.metricsServer`, else `--metrics-server`.
    func prometheusConfig(_ canary: Canary, metric: CanaryMetric) -> MetricProviderConfig {
        MetricProviderConfig(
            address: canary.spec.metricsServer ?? metricsServer, http: http, interval: metric.interval ?? CanaryDefaults.metricInterval, clock: clock)
    }

    /// A template's provider settings for one metric; without `provider.address`, the address its
    /// provider's policy chose.
    func providerConfig(_ template: MetricTemplate, metric: CanaryMetric, canary: Canary, address: String) -> MetricProviderConfig {
        var http = self.http
        http.verifiesCertificates = !(template.spec.provider.insecureSkipVerify ?? false)
        return MetricProviderConfig(
            address: address, headers: template.spec.provider.headers ?? [:], http: http,
            interval: metric.interval ?? CanaryDefaults.metricInterval, region: template.spec.provider.region, clock: clock,
            environment: environment, cluster: cluster,
            subject: CheckSubject(namespace: canary.namespace, canary: canary.metadata.name ?? "", uid: canary.metadata.uid, metric: metric.name))
    }

    /// Renders and runs one query.
    func outcome(
        of query: String, template: QueryTemplate, type: MetricProviderType,
        config: MetricProviderConfig
    ) async -> Result<Double, MetricError> {
        do {
            let provider = try MetricProviderRegistry.make(type, config)
            let rendered = try template.render(
                query, collapsingWhitespace: !(MetricProviderRegistry.registration(of: type)?.queryIsDocument ?? false))
            TaskLocalQuery.sink?.record(rendered)
            let reading = try await provider.reading(rendered)
            if let explanation = reading.explanation { TaskLocalQuery.sink?.explain(explanation) }
            return .success(reading.value)
        } catch {
            return .failure(error)
        }
    }

    /// What a template asks for that Serin does not do yet.
    static func refusal(of template: MetricTemplate, spec: JSONValue) -> String? {
        if let refused = MetricTemplate.refusedFields(in: spec).first { return refused.message }
        return nil
    }

    /// A secret's data, decoded (read each time, as Flagger does: a rotated credential is used at once).
    private func secretData(_ name: String, namespace: String) async throws -> [String: String] {
        try await secrets.secretData(name, namespace: namespace)
    }
}

/// Where the query a check sends is recorded, for the journal, without threading it through every path.
enum TaskLocalQuery {
    @TaskLocal static var sink: QuerySink?
}

/// The last query sent by one check, and what its provider said about the answer.
final class QuerySink: Sendable {
    private let sent = Mutex<(query: String?, explanation: String?)>((nil, nil))
    func record(_ query: String) { sent.withLock { $0.query = query } }
    func explain(_ explanation: String) { sent.withLock { $0.explanation = explanation } }
    var query: String? { sent.withLock { $0.query } }
    var explanation: String? { sent.withLock { $0.explanation } }
}
