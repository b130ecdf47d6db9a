import KubeCore

/// Flagger's defaults, as named values (`docs/compatibility.md` lists each).
public enum CanaryDefaults {
    public static let analysisInterval: Duration = .seconds(60)
    /// Flagger clamps analysis intervals to at least 10 s; the operator's `--min-analysis-interval` can lower it.
    public static let minimumAnalysisInterval: Duration = .seconds(10)
    public static let threshold = 1
    public static let maxWeight = 100
    /// The highest canary weight with `analysis.baseline` (the baseline takes the same again): the default
    /// and the limit.
    public static let maxWeightWithBaseline = 50
    public static let progressDeadlineSeconds = 600
    public static let readyThreshold = 100
    public static let portName = "http"
    public static let metricInterval = "1m"
    public static let webhookTimeout: Duration = .seconds(10)
    /// The metrics Flagger computes itself from the mesh's telemetry.
    public static let builtinMetrics: Set<String> = ["request-success-rate", "request-duration"]
}

extension Canary {
    /// The target workload's name.
    public var targetName: String { spec.targetRef?.name ?? "" }
    /// The primary workload's name: `<target>-primary`.
    public var primaryName: String { "\(targetName)-primary" }
    /// The baseline workload's name (`analysis.baseline`): `<target>-baseline`.
    public var baselineName: String { "\(targetName)-baseline" }
    /// The baseline's Service: `<service>-baseline`, beside `<service>-canary`.
    public var baselineServiceName: String { "\(serviceName)-baseline" }
    /// The apex Service's name: `service.name`, else the target's name.
    public var serviceName: String { spec.service?.name.flatMap { $0.isEmpty ? nil : $0 } ?? targetName }
    public var namespace: String { metadata.namespace ?? "default" }

    /// The analysis interval, defaulted and clamped to `minimum`.
    public func analysisInterval(minimum: Duration = CanaryDefaults.minimumAnalysisInterval) -> Duration {
        let parsed = spec.analysis?.interval.flatMap { try? GoDuration(parsing: $0).duration } ?? CanaryDefaults.analysisInterval
        return max(parsed, minimum)
    }

    public var threshold: Int { max(spec.analysis?.threshold ?? 0, 0) == 0 ? CanaryDefaults.threshold : spec.analysis!.threshold! }

    /// The highest canary weight: the last of `stepWeights` when set, else `maxWeight` (default 100; 50 with
    /// `analysis.baseline`, which takes as much again).
    public var maxWeight: Int {
        if let steps = spec.analysis?.stepWeights, let last = steps.last, (spec.analysis?.stepWeight ?? 0) == 0 { return min(100, last) }
        let unset = spec.analysis?.runsBaseline == true ? CanaryDefaults.maxWeightWithBaseline : CanaryDefaults.maxWeight
        return spec.analysis?.maxWeight.flatMap { $0 > 0 ? $0 : nil } ?? unset
    }

    public var progressDeadlineSeconds: Int { spec.progressDeadlineSeconds ?? CanaryDefaults.progressDeadlineSeconds }
    public var canaryReadyThreshold: Int { spec.analysis?.canaryReadyThreshold ?? CanaryDefaults.readyThreshold }
    public var primaryReadyThreshold: Int { spec.analysis?.primaryReadyThreshold ?? CanaryDefaults.readyThreshold }

    /// Analysis is skipped when asked, or when there is no analysis at all.
    public var skipsAnalysis: Bool { spec.skipAnalysis == true || spec.analysis == nil }

    /// The weight after one more step from `current` (Flagger's `nextStepWeight`).
    public func nextWeight(after current: Int) -> Int {
        let remaining = 100 - current
        let step: Int
        if let stepWeight = spec.analysis?.stepWeight, stepWeight > 0 {
            step = stepWeight
        } else if let steps = spec.analysis?.stepWeights, !steps.isEmpty {
            if remaining == 0 {
                step = 1
            } else if current == 0 {
                step = min(remaining, steps[0])
            } else if let index = steps.firstIndex(of: current), index + 1 < steps.count {
                step = min(remaining, steps[index + 1] - current)
            } else {
                step = remaining
            }
        } else {
            step = 0
        }
        return min(current + step, maxWeight)
    }
}
