import KubeCore

/// Serin: `spec.analysis.metrics[].compare` — the metric is judged by comparing the canary with the baseline
/// (`analysis.baseline`), or with the primary without one, instead of (or besides) holding one number against
/// `thresholdRange`. Each step queries both as a series over the metric's `interval` and the judge compares the
/// samples (`docs/analysis.md`).
public struct MetricComparison: Codable, Sendable, Equatable {
    /// Which way is bad: `increase` (latency, errors), `decrease` (throughput, hit rate), or `either`.
    public var direction: String?
    /// The largest tolerated change of the canary's median over the baseline's, in percent.
    public var maxIncrease: Double?
    public var maxDecrease: Double?
    /// Fewer values than this in either series makes the metric inconclusive, never a pass.
    public var minSamples: Int?
    /// How sure the judge must be (1 − the significance level), between 0.5 and 0.9999.
    public var confidence: Double?
    /// The metric's share of the step's score.
    public var weight: Double?
    /// A critical metric that fails fails the step alone, whatever the score.
    public var critical: Bool?
    /// The series' resolution (Prometheus `query_range`'s `step`); `{{ interval }}` renders as it, so each point
    /// covers its own slice of the window. At least twice the scrape interval; by default the window (the metric's
    /// `interval`) divided by `minSamples`, no finer than one second.
    public var resolution: String?

    public init(direction: String? = nil, maxIncrease: Double? = nil, minSamples: Int? = nil, resolution: String? = nil) {
        self.direction = direction
        self.maxIncrease = maxIncrease
        self.minSamples = minSamples
        self.resolution = resolution
    }

    /// The values a field left unset takes: the ones `serin-bench judge` evaluates (`docs/benchmarks.md`).
    public enum Defaults {
        public static let direction = "increase"
        public static let maxIncrease = 5.0
        public static let maxDecrease = 5.0
        public static let minSamples = 10
        public static let confidence = 0.99
        public static let weight = 1.0
    }

    /// The series' window (the metric's `interval`) and resolution (``resolution``, else the window divided by
    /// `minSamples`, no finer than one second); `nil` for a duration that cannot be read. Pure.
    public func window(interval: String?) -> (window: Duration, resolution: Duration)? {
        guard let window = try? GoDuration(parsing: interval ?? CanaryDefaults.metricInterval).duration else { return nil }
        if let text = resolution {
            guard let parsed = try? GoDuration(parsing: text).duration else { return nil }
            return (window, parsed)
        }
        return (window, max(window / max(minSamples ?? Defaults.minSamples, 1), .seconds(1)))
    }

    /// The directions `direction` may name.
    public static let directions = ["increase", "decrease", "either"]
}

/// Serin: `spec.analysis.baseline` — each analysis runs `<target>-baseline`, the primary's template at the
/// canary's size, next to the canary and with the same weight, so the two differ only by version.
public struct CanaryBaseline: Codable, Sendable, Equatable {
    /// `false` turns a baseline inherited from a shared manifest off.
    public var enabled: Bool?

    public init(enabled: Bool? = true) { self.enabled = enabled }
}

/// Serin: `spec.analysis.scoreThresholds` — the step's score over its compared metrics (the share of their
/// weight that passed, 0–100) at or above `pass` passes, at or above `marginal` is inconclusive, below fails.
public struct ScoreThresholds: Codable, Sendable, Equatable {
    public var pass: Double?
    public var marginal: Double?

    public init(pass: Double? = nil, marginal: Double? = nil) {
        self.pass = pass
        self.marginal = marginal
    }

    public static let defaultPass = 95.0
    public static let defaultMarginal = 75.0
}

extension CanaryAnalysis {
    /// Whether each analysis runs a baseline workload (`baseline` set and not disabled).
    public var runsBaseline: Bool { baseline.map { $0.enabled != false } ?? false }
    /// Inconclusive steps in a row before the Canary pauses for a person (`inconclusiveLimit`, default 3).
    public var inconclusiveSteps: Int { inconclusiveLimit ?? 3 }
    /// Whether reaching `threshold` failed checks freezes the analysis instead of rolling back (`onFailure: freeze`).
    public var freezesOnFailure: Bool { onFailure == "freeze" }
    /// Passed steps in a row before the first weight increase (`consecutiveSuccessLimit`, default 1: as Flagger).
    public var successesBeforeFirstStep: Int { max(consecutiveSuccessLimit ?? 1, 1) }
}
