import KubeCore

extension Canary {
    /// The problems of `spec.analysis`: schedule, metrics and webhooks.
    func validate(_ analysis: CanaryAnalysis, into issues: inout ValidationIssues) {
        issues.duration(analysis.interval, maximum: ValidationLimits.maximumInterval, "spec.analysis.interval")
        if let threshold = analysis.threshold, threshold < 0 { issues.add("spec.analysis.threshold", "\(threshold) must not be negative") }
        issues.range(analysis.iterations, 0...Int(Int32.max), "spec.analysis.iterations")
        if (analysis.iterations ?? 0) <= 0,
            (analysis.stepWeight ?? 0) <= 0 && (analysis.stepWeights ?? []).isEmpty && analysis.steps == nil
                && spec.skipAnalysis != true
        {
            issues.add("spec.analysis", "one of stepWeight, stepWeights, iterations or steps is required")
        }
        issues.range(analysis.stepWeight, 0...100, "spec.analysis.stepWeight")
        issues.range(analysis.maxWeight, 1...100, "spec.analysis.maxWeight")
        issues.range(analysis.stepWeightPromotion, 0...100, "spec.analysis.stepWeightPromotion")
        issues.range(analysis.mirrorWeight, 0...100, "spec.analysis.mirrorWeight")
        issues.range(analysis.canaryReadyThreshold, 0...100, "spec.analysis.canaryReadyThreshold")
        issues.range(analysis.primaryReadyThreshold, 0...100, "spec.analysis.primaryReadyThreshold")
        if let steps = analysis.stepWeights, steps != steps.sorted() || steps.contains(where: { $0 <= 0 || $0 > 100 }) {
            issues.add("spec.analysis.stepWeights", "must be increasing weights between 1 and 100")
        }
        validateJudge(analysis, into: &issues)
        analysis.sessionAffinity?.validate(into: &issues, strategy: strategy, tcp: spec.service?.appProtocol?.lowercased() == "tcp")
        for (index, metric) in (analysis.metrics ?? []).enumerated() { validate(metric, field: "spec.analysis.metrics[\(index)]", into: &issues) }
        for (index, metric) in (analysis.bake?.metrics ?? []).enumerated() {
            validate(metric, field: "spec.analysis.bake.metrics[\(index)]", into: &issues)
        }
        for (index, webhook) in (analysis.webhooks ?? []).enumerated() {
            let field = "spec.analysis.webhooks[\(index)]"
            if webhook.kind == nil { issues.add("\(field).type", "unknown webhook type \"\(webhook.type ?? "")\"") }
            issues.duration(webhook.timeout, maximum: ValidationLimits.maximumWebhookTimeout, "\(field).timeout")
            issues.range(webhook.retries, 0...ValidationLimits.maximumWebhookRetries, "\(field).retries")
            issues.url(webhook.url, "\(field).url")
        }
    }

    func validate(_ metric: CanaryMetric, field: String, into issues: inout ValidationIssues) {
        if metric.name.isEmpty { issues.add("\(field).name", "required") }
        issues.duration(metric.interval, maximum: ValidationLimits.maximumInterval, "\(field).interval")
        if metric.templateRef == nil, metric.query == nil, !CanaryDefaults.builtinMetrics.contains(metric.name) {
            issues.add(
                field,
                "\"\(metric.name)\" is not a built-in metric (\(CanaryDefaults.builtinMetrics.sorted().joined(separator: ", "))) and has no templateRef"
            )
        }
        if let name = metric.templateRef?.name, name.isEmpty { issues.add("\(field).templateRef.name", "required") }
        if let range = metric.thresholdRange, let min = range.min, let max = range.max, min > max {
            issues.add("\(field).thresholdRange", "min \(min) is greater than max \(max)")
        }
        if metric.noDataPolicy == nil {
            issues.add(
                "\(field).noData",
                "\"\(metric.noData ?? "")\" is not a policy (\(CanaryMetric.NoDataPolicy.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let minimum = metric.minRequests {
            issues.range(minimum, 0...1_000_000_000, "\(field).minRequests")
            if metric.templateRef != nil || metric.query != nil || !CanaryDefaults.builtinMetrics.contains(metric.name) {
                issues.add("\(field).minRequests", "applies to the built-in request-success-rate and request-duration only")
            }
        }
    }
}
