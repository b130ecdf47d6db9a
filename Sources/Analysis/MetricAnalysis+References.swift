import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import KubeRuntime
import MetricProviders

extension MetricAnalysis {
    /// The metric templates the Canary names that cannot be used: missing, unreadable, asking for what
    /// Serin does not do yet, or of a provider type it cannot query. Checked from the cache before a
    /// rollout starts, so the Canary says so instead of failing its first analysis.
    public func referenceIssues(_ canary: Canary, queries: BuiltinQueries? = nil) -> [ValidationIssue] {
        var issues = queries.map { MetricAnalysis.comparisonIssues(canary, queries: $0) + MetricAnalysis.bakeIssues(canary, queries: $0) } ?? []
        let analysed = (canary.spec.analysis?.metrics ?? []).enumerated().map { ($1, "spec.analysis.metrics[\($0)]") }
        let baked = (canary.spec.analysis?.bake?.metrics ?? []).enumerated().map { ($1, "spec.analysis.bake.metrics[\($0)]") }
        for (metric, field) in analysed + baked { issues += templateIssues(metric, field: field, canary: canary) }
        return issues
    }

    /// The problems of one metric's template reference (`field` names the metric).
    private func templateIssues(_ metric: CanaryMetric, field metricField: String, canary: Canary) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        guard let reference = metric.templateRef else { return [] }
        let namespace = reference.namespace ?? canary.namespace
        let field = "\(metricField).templateRef"
        func add(_ message: String) { issues.append(ValidationIssue(field: field, message: message)) }
        guard let object = templates.get(namespace: namespace, name: reference.name) else {
            add("metrictemplate.flagger.app \"\(reference.name)\" not found in namespace \(namespace)")
            return issues
        }
        let template: MetricTemplate
        do { template = try object.json.decode(as: MetricTemplate.self) } catch {
            add("metric template \(reference.name).\(namespace) cannot be read: \((error as? DecodingError)?.fieldMessage ?? "\(error)")")
            return issues
        }
        if let refusal = MetricAnalysis.refusal(of: template, spec: object.json["spec"] ?? [:]) {
            add("metric template \(reference.name).\(namespace) \(refusal)")
        }
        if case .failure(let refusal) = MetricAnalysis.address(of: template, canary: canary, metricsServer: metricsServer) {
            add("metric template \(reference.name).\(namespace) \(refusal.message)")
        }
        if let (key, message) = MetricAnalysis.unsafeVariable(metric, template: template, canary: canary) {
            issues.append(ValidationIssue(field: "\(metricField).templateVariables.\(key)", message: message))
        }
        do {
            let type = try MetricProviderType(parsing: template.spec.provider.type)
            if metric.compare != nil, MetricProviderRegistry.registration(of: type)?.series == false {
                issues.append(
                    ValidationIssue(
                        field: "\(metricField).compare",
                        message:
                            "metric template \(reference.name).\(namespace) provider \(type) has no series API Serin queries yet (compared metrics: \(MetricProviderRegistry.registrations.filter(\.series).map(\.type.rawValue).joined(separator: ", ")))"
                    ))
            }
            if !MetricProviderRegistry.implemented.contains(type) {
                let supported = MetricProviderRegistry.implemented.map(\.rawValue).sorted().joined(separator: ", ")
                add("metric template \(reference.name).\(namespace) provider \(type) is not supported yet (supported: \(supported))")
            }
        } catch {
            add("metric template \(reference.name).\(namespace) provider.type \(error)")
        }
        return issues
    }
}
