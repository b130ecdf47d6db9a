extension Canary {
    /// `analysis.bake` is refused, naming why, where it cannot keep its promise (the primary given back the
    /// last good version when the bake fails): a target kind whose primary keeps no previous version, a bake
    /// without a check, and `keepPrevious` on a router that cannot route to a third destination.
    func validateBake(into issues: inout ValidationIssues, context: ValidationContext) {
        guard let bake = spec.analysis?.bake else { return }
        let field = "spec.analysis.bake"
        issues.duration(bake.duration, maximum: ValidationLimits.maximumBake, "\(field).duration")
        issues.duration(bake.interval, maximum: ValidationLimits.maximumInterval, "\(field).interval")
        if let kind = targetKind, kind != .deployment {
            issues.add(field, "a \(kind.rawValue) target keeps no previous version to give back when the bake fails: use a Deployment target")
        }
        if bakeMetrics.isEmpty {
            issues.add(
                "\(field).metrics",
                "the bake has no check: give it metrics with a threshold (compare alone is not judged during the bake, which has no canary)")
        }
        guard bake.keepPrevious == true else { return }
        if let provider = meshProvider(default: context.meshProvider), context.routerRules[provider]?.splitsThreeWays != true {
            let able = context.routerRules.filter(\.value.splitsThreeWays).keys.map(\.rawValue).sorted().joined(separator: ", ")
            issues.add(
                "\(field).keepPrevious",
                "the \(provider) router cannot route to a third destination (primary, canary, previous); routers that can: \(able)")
        }
    }
}
