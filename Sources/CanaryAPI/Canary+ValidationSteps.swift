extension Canary {
    /// `analysis.steps` (Serin's): instead of the other schedules, each step exactly one known action, weights
    /// within 0–100, pauses a Go duration of at most 30 days, header and mirror routes on a router that
    /// carries them.
    func validateSteps(into issues: inout ValidationIssues, context: ValidationContext) {
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
            if let checks = step.analysis { validate(checks, field: "\(at).analysis", into: &issues) }
            if let scale = step.setCanaryScale { validate(scale, field: "\(at).setCanaryScale", into: &issues) }
            if let route = step.setHeaderRoute { _ = HeaderRoute.parse(route, "\(at).setHeaderRoute", into: &issues) }
            if let route = step.setMirrorRoute { _ = MirrorRoute.parse(route, "\(at).setMirrorRoute", into: &issues) }
            guard step.actionsSet == 1 else {
                issues.add(at, "set exactly one of setWeight, pause, setCanaryScale, setHeaderRoute or setMirrorRoute (\(step.actionsSet) set)")
                continue
            }
            if let weight = step.setWeight { issues.range(weight, 0...100, "\(at).setWeight") }
            if let duration = step.pause?.duration {
                issues.duration(duration, maximum: .seconds(30 * 24 * 3600), "\(at).pause.duration")
            }
        }
        validateStepRoutes(steps, field: field, into: &issues, context: context)
    }

    /// Header and mirror routes: on a router that carries them, over HTTP, each name for one kind of route.
    private func validateStepRoutes(_ steps: [CanaryStep], field: String, into issues: inout ValidationIssues, context: ValidationContext) {
        var kinds: [String: String] = [:]
        for (index, step) in steps.enumerated() {
            let (kind, name): (String, String?)
            switch step.action {
            case .setHeaderRoute(let route): (kind, name) = ("setHeaderRoute", route.name)
            case .setMirrorRoute(let route): (kind, name) = ("setMirrorRoute", route.name)
            default: continue
            }
            let at = "\(field)[\(index)].\(kind)"
            if let name, let other = kinds[name], other != kind {
                issues.add("\(at).name", "\"\(name)\" names a route of \(other) already: give each route its own name")
            }
            if let name { kinds[name] = kind }
            if spec.service?.appProtocol?.lowercased() == "tcp" {
                issues.add(at, "matches HTTP requests; a TCP service (appProtocol: tcp) has none")
            }
            if targetKind == .statefulSet {
                issues.add(at, "routes requests to a canary workload; a StatefulSet target updates its own pods in place")
            }
            if let provider = meshProvider(default: context.meshProvider), context.routerRules[provider]?.stepRoutes != true {
                let able = context.routerRules.filter(\.value.stepRoutes).keys.map(\.rawValue).sorted().joined(separator: ", ")
                issues.add(at, "the \(provider) router cannot route requests by header or mirror them in a step; routers that can: \(able)")
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
