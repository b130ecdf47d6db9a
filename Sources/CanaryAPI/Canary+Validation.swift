import KubeCore

/// One problem with a Canary's spec, naming the field.
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }
}

extension Canary {
    /// Every problem with the spec; empty when the Canary can be reconciled.
    public func validate() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func issue(_ field: String, _ message: String) { issues.append(ValidationIssue(field: field, message: message)) }
        if (spec.targetRef?.name ?? "").isEmpty { issue("spec.targetRef", "required: name the Deployment to ship") }
        if let kind = spec.targetRef?.kind, kind != "Deployment" {
            issue("spec.targetRef.kind", "\"\(kind)\" is not supported yet (supported: Deployment)")
        }
        if !CanaryDefaults.supportedProviders.contains(provider) {
            issue("spec.provider", "\"\(provider)\" is not supported (supported: \(CanaryDefaults.supportedProviders.sorted().joined(separator: ", ")))")
        }
        if spec.service?.port == nil { issue("spec.service.port", "required") }
        if let analysis = spec.analysis { issues += validate(analysis) }
        return issues
    }

    private func validate(_ analysis: CanaryAnalysis) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func issue(_ field: String, _ message: String) { issues.append(ValidationIssue(field: field, message: message)) }
        if let interval = analysis.interval { check(duration: interval, field: "spec.analysis.interval", into: &issues) }
        if (analysis.iterations ?? 0) > 0 {
            issue("spec.analysis.iterations", "blue/green and A/B testing are not supported yet; use stepWeight or stepWeights")
        } else if (analysis.stepWeight ?? 0) <= 0 && (analysis.stepWeights ?? []).isEmpty && spec.skipAnalysis != true {
            issue("spec.analysis", "one of stepWeight, stepWeights or iterations is required")
        }
        if let maxWeight = analysis.maxWeight, !(1...100).contains(maxWeight) { issue("spec.analysis.maxWeight", "must be between 1 and 100") }
        if let steps = analysis.stepWeights, steps != steps.sorted() || steps.contains(where: { $0 <= 0 || $0 > 100 }) {
            issue("spec.analysis.stepWeights", "must be increasing weights between 1 and 100")
        }
        for (index, metric) in (analysis.metrics ?? []).enumerated() {
            let field = "spec.analysis.metrics[\(index)]"
            if metric.name.isEmpty { issue("\(field).name", "required") }
            if let interval = metric.interval { check(duration: interval, field: "\(field).interval", into: &issues) }
            if metric.templateRef == nil, metric.query == nil, !CanaryDefaults.builtinMetrics.contains(metric.name) {
                issue(field, "\"\(metric.name)\" is not a built-in metric (\(CanaryDefaults.builtinMetrics.sorted().joined(separator: ", "))) and has no templateRef")
            }
            if let name = metric.templateRef?.name, name.isEmpty { issue("\(field).templateRef.name", "required") }
        }
        for (index, webhook) in (analysis.webhooks ?? []).enumerated() {
            let field = "spec.analysis.webhooks[\(index)]"
            if webhook.kind == nil { issue("\(field).type", "unknown webhook type \"\(webhook.type ?? "")\"") }
            if let timeout = webhook.timeout { check(duration: timeout, field: "\(field).timeout", into: &issues) }
            if webhook.url.isEmpty { issue("\(field).url", "required") }
        }
        return issues
    }

    private func check(duration text: String, field: String, into issues: inout [ValidationIssue]) {
        do {
            _ = try GoDuration(parsing: text)
        } catch {
            issues.append(ValidationIssue(field: field, message: error.description))
        }
    }
}
