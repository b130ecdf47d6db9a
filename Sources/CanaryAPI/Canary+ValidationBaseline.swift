extension Canary {
    /// `analysis.baseline` is refused, naming why, where it cannot be what it promises (the canary and a
    /// baseline of the primary's version, side by side on equal traffic): another strategy than canary, a
    /// target kind without a size to copy (DaemonSet), a router that cannot split traffic three ways, a
    /// weight above 50 (the two take it twice), mirroring or session affinity (the canary would get traffic
    /// the baseline does not).
    func validateBaseline(into issues: inout ValidationIssues, context: ValidationContext) {
        guard let analysis = spec.analysis, analysis.runsBaseline else { return }
        let field = "spec.analysis.baseline"
        if strategy != .canary {
            issues.add(field, "the \(strategy.rawValue) strategy has no weights to share: a baseline runs with the canary strategy only")
        }
        if targetKind == .daemonSet {
            issues.add(field, "a DaemonSet runs one pod per node, so a baseline at the canary's size cannot be made: use a Deployment target")
        }
        if targetKind == .service {
            issues.add(field, "a Service target has no workload to copy at the canary's size: use a Deployment target")
        }
        if let provider = meshProvider(default: context.meshProvider), context.routerRules[provider]?.splitsThreeWays != true {
            let able = context.routerRules.filter(\.value.splitsThreeWays).keys.map(\.rawValue).sorted().joined(separator: ", ")
            issues.add(field, "the \(provider) router cannot split traffic three ways (primary, canary, baseline); routers that can: \(able)")
        }
        let limit = CanaryDefaults.maxWeightWithBaseline
        if let weight = analysis.maxWeight, weight > limit {
            issues.add(
                "spec.analysis.maxWeight",
                "\(weight) is above \(limit): with a baseline (spec.analysis.baseline) the canary and the baseline each take it")
        }
        if let steps = analysis.stepWeights, let high = steps.max(), high > limit {
            issues.add(
                "spec.analysis.stepWeights",
                "\(high) is above \(limit): with a baseline (spec.analysis.baseline) the canary and the baseline each take it")
        }
        if analysis.mirror == true {
            issues.add(field, "mirroring copies requests to the canary that the baseline does not get: turn one of them off")
        }
        if analysis.sessionAffinity != nil {
            issues.add(field, "session affinity keeps users on the canary that the baseline does not get: turn one of them off")
        }
    }
}
