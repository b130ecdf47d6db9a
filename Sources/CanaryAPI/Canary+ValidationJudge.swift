import KubeCore

extension Canary {
    /// The problems of the judge's fields (Serin's): compared metrics, score thresholds, step limits.
    func validateJudge(_ analysis: CanaryAnalysis, into issues: inout ValidationIssues) {
        issues.range(analysis.inconclusiveLimit, 1...1000, "spec.analysis.inconclusiveLimit")
        issues.range(analysis.consecutiveSuccessLimit, 1...1000, "spec.analysis.consecutiveSuccessLimit")
        if let onFailure = analysis.onFailure, !["rollback", "freeze"].contains(onFailure) {
            issues.add("spec.analysis.onFailure", "\"\(onFailure)\" is not a known value (known: rollback, freeze)")
        }
        if (analysis.consecutiveSuccessLimit ?? 1) > 1, strategy != .canary {
            issues.add("spec.analysis.consecutiveSuccessLimit", "holds the first weight of the canary strategy; this Canary is \(strategy.rawValue)")
        }
        if let thresholds = analysis.scoreThresholds {
            let pass = thresholds.pass ?? ScoreThresholds.defaultPass, marginal = thresholds.marginal ?? ScoreThresholds.defaultMarginal
            for (name, value) in [("pass", pass), ("marginal", marginal)] where !(0...100).contains(value) {
                issues.add("spec.analysis.scoreThresholds.\(name)", "\(value) is not a score between 0 and 100")
            }
            if marginal > pass { issues.add("spec.analysis.scoreThresholds", "marginal \(marginal) is above pass \(pass)") }
        }
        for (index, metric) in (analysis.metrics ?? []).enumerated() {
            guard let compare = metric.compare else { continue }
            validate(compare, of: metric, field: "spec.analysis.metrics[\(index)].compare", into: &issues)
        }
    }

    private func validate(_ compare: MetricComparison, of metric: CanaryMetric, field: String, into issues: inout ValidationIssues) {
        if let direction = compare.direction, !MetricComparison.directions.contains(direction) {
            issues.add("\(field).direction", "\"\(direction)\" is not one of \(MetricComparison.directions.joined(separator: ", "))")
        }
        for (name, value) in [("maxIncrease", compare.maxIncrease), ("maxDecrease", compare.maxDecrease), ("weight", compare.weight)] {
            if let value, !(value.isFinite && value >= 0 && value <= 1_000_000) {
                issues.add("\(field).\(name)", "\(value) is not a number between 0 and 1000000")
            }
        }
        if let confidence = compare.confidence, !(confidence >= 0.5 && confidence <= 0.9999) {
            issues.add("\(field).confidence", "\(confidence) is not between 0.5 and 0.9999")
        }
        issues.range(compare.minSamples, 1...100_000, "\(field).minSamples")
        if let text = compare.resolution {
            do {
                guard try GoDuration(parsing: text).duration > .zero else { return issues.add("\(field).resolution", "must be longer than 0") }
            } catch {
                return issues.add("\(field).resolution", "\(error)")
            }
        }
        // The built-in success rate is compared as error counts where the router counts requests: minSamples counts requests.
        let counted = metric.name == "request-success-rate" && metric.query == nil && metric.templateRef == nil
        guard !counted, let (window, resolution) = compare.window(interval: metric.interval), resolution > .zero else { return }
        let points = Int((window / resolution).rounded(.down))
        let minimum = compare.minSamples ?? MetricComparison.Defaults.minSamples
        if points < minimum {
            issues.add(
                compare.resolution == nil ? "\(field).minSamples" : "\(field).resolution",
                "a resolution of \(GoDuration(resolution)) gives \(points) points in the metric's interval \(metric.interval ?? CanaryDefaults.metricInterval), fewer than minSamples \(minimum): every step would be inconclusive"
            )
        }
    }
}
