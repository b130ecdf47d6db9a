extension Canary {
    /// `analysis.steps` (Serin's): instead of the other schedules, each step exactly one known action, weights
    /// within 0–100, pauses a Go duration of at most 30 days; the step kinds not built yet refused by name.
    func validateSteps(into issues: inout ValidationIssues) {
        guard let analysis = spec.analysis, let steps = analysis.steps else { return }
        let field = "spec.analysis.steps"
        if steps.isEmpty { issues.add(field, "list at least one step, or leave steps out") }
        let others = [
            ("stepWeight", analysis.stepWeight != nil), ("stepWeights", analysis.stepWeights != nil), ("iterations", analysis.iterations != nil),
            ("maxWeight", analysis.maxWeight != nil), ("match", !(analysis.match ?? []).isEmpty),
            ("consecutiveSuccessLimit", (analysis.consecutiveSuccessLimit ?? 1) > 1),
        ]
        for (name, set) in others where set {
            issues.add(field, "use either steps or \(name), not both")
        }
        for other in ["mirror": analysis.mirror == true, "baseline": analysis.runsBaseline] where other.value {
            issues.add(field, "steps cannot be combined with \(other.key) yet")
        }
        for (index, step) in steps.enumerated() {
            let at = "\(field)[\(index)]"
            let later = [("setHeaderRoute", step.setHeaderRoute), ("setMirrorRoute", step.setMirrorRoute)]
            // Those not built yet are refused by name with the fields table (``Canary/fields``).
            let set = [step.setWeight != nil, step.pause != nil, step.setCanaryScale != nil].filter { $0 }.count + later.filter { $0.1 != nil }.count
            if let checks = step.analysis { validate(checks, field: "\(at).analysis", into: &issues) }
            if let scale = step.setCanaryScale { validate(scale, field: "\(at).setCanaryScale", into: &issues) }
            guard set == 1 else {
                issues.add(at, "set exactly one of setWeight, pause or setCanaryScale (\(set) set)")
                continue
            }
            if let weight = step.setWeight { issues.range(weight, 0...100, "\(at).setWeight") }
            if let duration = step.pause?.duration {
                issues.duration(duration, maximum: .seconds(30 * 24 * 3600), "\(at).pause.duration")
            }
        }
    }

    /// A canary scale: exactly one of its fields, within bounds; a Deployment target without an autoscaler.
    private func validate(_ scale: CanaryScale, field: String, into issues: inout ValidationIssues) {
        for key in scale.unknownFields { issues.add("\(field).\(key)", "not a field of setCanaryScale (replicas, weight, matchTrafficWeight)") }
        let set = [scale.replicas != nil, scale.weight != nil, scale.matchTrafficWeight != nil].filter { $0 }.count
        if set != 1 { issues.add(field, "set exactly one of replicas, weight or matchTrafficWeight (\(set) set)") }
        issues.range(scale.replicas, 0...Int(Int32.max), "\(field).replicas")
        issues.range(scale.weight, 0...100, "\(field).weight")
        if scale.matchTrafficWeight == false { issues.add("\(field).matchTrafficWeight", "only true: leave the step out instead") }
        if targetKind != .deployment {
            issues.add(field, "sizes a Deployment target's canary only (this target is a \(targetKind?.description ?? "kind Serin does not know"))")
        }
        if spec.autoscalerRef != nil { issues.add(field, "not with autoscalerRef yet: the canary's autoscaler would resize it") }
    }

    /// A step's own checks: metrics as the analysis's, rollout webhooks only, nothing else.
    private func validate(_ checks: StepAnalysis, field: String, into issues: inout ValidationIssues) {
        for key in checks.unknownFields { issues.add("\(field).\(key)", "not a field of a step's analysis (metrics, webhooks)") }
        for (index, metric) in (checks.metrics ?? []).enumerated() { validate(metric, field: "\(field).metrics[\(index)]", into: &issues) }
        for (index, webhook) in (checks.webhooks ?? []).enumerated() {
            let at = "\(field).webhooks[\(index)]"
            if webhook.kind != .rollout { issues.add("\(at).type", "only rollout webhooks run in a step (\"\(webhook.type ?? "")\")") }
            issues.duration(webhook.timeout, maximum: ValidationLimits.maximumWebhookTimeout, "\(at).timeout")
            issues.range(webhook.retries, 0...ValidationLimits.maximumWebhookRetries, "\(at).retries")
            issues.url(webhook.url, "\(at).url")
        }
    }
}
