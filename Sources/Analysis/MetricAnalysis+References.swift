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
        var issues = queries.map { MetricAnalysis.comparisonIssues(canary, queries: $0) } ?? []
        for (index, metric) in (canary.spec.analysis?.metrics ?? []).enumerated() {
            guard let reference = metric.templateRef else { continue }
            let namespace = reference.namespace ?? canary.namespace
            let field = "spec.analysis.metrics[\(index)].templateRef"
            func add(_ message: String) { issues.append(ValidationIssue(field: field, message: message)) }
            guard let object = templates.get(namespace: namespace, name: reference.name) else {
                add("metrictemplate.flagger.app \"\(reference.name)\" not found in namespace \(namespace)")
                continue
            }
            let template: MetricTemplate
            do { template = try object.json.decode(as: MetricTemplate.self) } catch {
                add("metric template \(reference.name).\(namespace) cannot be read: \((error as? DecodingError)?.fieldMessage ?? "\(error)")")
                continue
            }
            if let refusal = MetricAnalysis.refusal(of: template, spec: object.json["spec"] ?? [:]) {
                add("metric template \(reference.name).\(namespace) \(refusal)")
            }
            if case .failure(let refusal) = MetricAnalysis.address(of: template, canary: canary, metricsServer: metricsServer) {
                add("metric template \(reference.name).\(namespace) \(refusal.message)")
            }
            if let (key, message) = MetricAnalysis.unsafeVariable(metric, template: template, canary: canary) {
                issues.append(ValidationIssue(field: "spec.analysis.metrics[\(index)].templateVariables.\(key)", message: message))
            }
            do {
                let type = try MetricProviderType(parsing: template.spec.provider.type)
                if metric.compare != nil, MetricProviderRegistry.registration(of: type)?.series == false {
                    issues.append(
                        ValidationIssue(
                            field: "spec.analysis.metrics[\(index)].compare",
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
        }
        return issues
    }
}
