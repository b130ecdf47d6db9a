import CanaryAPI
import Foundation

/// Seeded, simulated rollouts that measure how often a way of judging rolls back a bad release (detection) and a
/// good one (false failure): Serin's judge (each step compares the canary's series and error counts with the
/// baseline's) against Flagger-style fixed thresholds on the same data (`request-duration` P99 `max`,
/// `request-success-rate` `min`). Pure; `serin-bench judge` prints it, `JudgeEvaluationTests` holds its promises.
public enum JudgeEvaluation {
    /// One kind of release.
    public struct Case: Sendable {
        public var name: String
        /// Whether the release is bad (rolling it back is right).
        public var bad: Bool
        public var latencyFactor = 1.0
        public var canarySigma = 0.3
        /// Extra point-to-point jitter of the canary's series (a canary only more variable).
        public var canaryJitter = 0.0
        public var baselineErrorRate = 0.005
        public var canaryErrorRate = 0.005
        public var requestsPerPoint = 100
        /// Errors the canary makes in each of the first two steps, whatever its rate (a quiet service).
        public var canaryFixedErrors: Int?
    }

    public static let cases: [Case] = [
        Case(name: "no change", bad: false),
        Case(name: "latency +5%", bad: true, latencyFactor: 1.05),
        Case(name: "latency +10%", bad: true, latencyFactor: 1.10),
        Case(name: "latency +25%", bad: true, latencyFactor: 1.25),
        Case(name: "errors +0.5 points", bad: true, canaryErrorRate: 0.010),
        Case(name: "errors +1 point", bad: true, canaryErrorRate: 0.015),
        Case(name: "errors +2 points", bad: true, canaryErrorRate: 0.025),
        Case(name: "only more variable", bad: true, canaryJitter: 0.25),
        Case(name: "quiet service, one error", bad: false, baselineErrorRate: 0, canaryErrorRate: 0, requestsPerPoint: 3, canaryFixedErrors: 1),
    ]

    /// The analysis: `steps` checks of `points` scrapes each; `threshold` failed checks roll back.
    public static let steps = 5
    public static let points = 20
    public static let threshold = 2
    /// The judge's rule for latency, and the significance for error counts.
    /// The defaults of a compared metric (`metrics[].compare`), so the figures are those a Canary gets.
    public static let rule = Comparison.Rule(
        direction: .increase, maxIncrease: MetricComparison.Defaults.maxIncrease, maxDecrease: MetricComparison.Defaults.maxDecrease,
        minSamples: MetricComparison.Defaults.minSamples, confidence: MetricComparison.Defaults.confidence)
    /// The thresholds a Flagger user would set for this service: P99 at most about 20% over its usual (its scrapes'
    /// P99s average about 200 ms), success at least 99%.
    public static let maxP99 = 240.0
    public static let minSuccess = 99.0

    /// How often each way rolled a release of `kind` back, over `rollouts` seeded rollouts.
    public struct Rates: Sendable {
        public var judge: Double
        public var thresholds: Double
    }

    public static func rates(_ kind: Case, rollouts: Int, seed: UInt64) -> Rates {
        var generator = SplitMix(state: seed)
        var (judged, thresholded) = (0, 0)
        for _ in 0..<rollouts {
            var (judgeFailures, thresholdFailures) = (0, 0)
            for step in 0..<steps {
                let verdict = judgeStep(kind, step: step, using: &generator)
                judgeFailures += verdict.judge ? 1 : 0
                thresholdFailures += verdict.thresholds ? 1 : 0
            }
            judged += judgeFailures >= threshold ? 1 : 0
            thresholded += thresholdFailures >= threshold ? 1 : 0
        }
        return Rates(judge: Double(judged) / Double(rollouts), thresholds: Double(thresholded) / Double(rollouts))
    }

    /// Whether one step fails under each way of judging.
    static func judgeStep(_ kind: Case, step: Int, using generator: inout SplitMix) -> (judge: Bool, thresholds: Bool) {
        let baseline = variant(median: 100, sigma: 0.3, jitter: 0, errorRate: kind.baselineErrorRate, kind: kind, using: &generator)
        var canary = variant(
            median: 100 * kind.latencyFactor, sigma: kind.canarySigma, jitter: kind.canaryJitter, errorRate: kind.canaryErrorRate, kind: kind,
            using: &generator)
        if let fixed = kind.canaryFixedErrors { canary.errors = step < 2 ? fixed : 0 }
        let latency = Comparison(baseline: baseline.p99s, canary: canary.p99s, rule: rule)
        let errors = Comparison(
            baselineErrors: baseline.errors, baselineTotal: baseline.requests, canaryErrors: canary.errors, canaryTotal: canary.requests, rule: rule)
        // The step as a Canary's analysis decides it: both metrics compared, scored with the default thresholds.
        let verdict = StepVerdict(
            [.init(name: "latency", classification: latency.classification), .init(name: "errors", classification: errors.classification)],
            pass: ScoreThresholds.defaultPass, marginal: ScoreThresholds.defaultMarginal)
        let judge = verdict.outcome == .fail
        let success = canary.requests > 0 ? 100 * Double(canary.requests - canary.errors) / Double(canary.requests) : 100
        let thresholds = canary.windowP99 > maxP99 || success < minSuccess
        return (judge, thresholds)
    }

    /// One variant's step: the P99 of each scrape, the window's P99, requests and errors.
    struct Variant {
        var p99s: [Double]
        var windowP99: Double
        var requests: Int
        var errors: Int
    }

    /// A variant's step. Each scrape's P99 is drawn exactly from the two largest of its `requestsPerPoint`
    /// (at most 101) log-normal latencies, as order statistics of uniforms; the window's P99 is the mean of its
    /// scrapes' (close to the P99 of all its requests, as a histogram over the window gives it).
    static func variant(median: Double, sigma: Double, jitter: Double, errorRate: Double, kind: Case, using generator: inout SplitMix) -> Variant {
        let n = min(max(kind.requestsPerPoint, 1), 101)
        var p99s: [Double] = []
        var errors = 0
        for _ in 0..<points {
            let largest = pow(Double.random(in: Double.ulpOfOne..<1, using: &generator), 1 / Double(n))
            let second = n > 1 ? largest * pow(Double.random(in: Double.ulpOfOne..<1, using: &generator), 1 / Double(n - 1)) : largest
            let position = 0.99 * Double(n - 1) - Double(max(n - 2, 0))
            let z = Distributions.normalQuantile(second) + (Distributions.normalQuantile(largest) - Distributions.normalQuantile(second)) * position
            p99s.append(median * exp(sigma * z) * exp(jitter * normal(using: &generator)))
            errors += binomial(n, errorRate, using: &generator)
        }
        return Variant(p99s: p99s, windowP99: p99s.reduce(0, +) / Double(p99s.count), requests: n * points, errors: errors)
    }

    /// A Binomial(`n`, `p`) draw by inversion: one uniform, a few steps for the small means simulated here.
    static func binomial(_ n: Int, _ p: Double, using generator: inout SplitMix) -> Int {
        guard p > 0, n > 0 else { return 0 }
        let u = Double.random(in: 0..<1, using: &generator)
        var (k, probability) = (0, pow(1 - p, Double(n)))
        var cumulative = probability
        while cumulative < u, k < n {
            probability *= Double(n - k) / Double(k + 1) * p / (1 - p)
            k += 1
            cumulative += probability
        }
        return k
    }

    /// A standard normal draw (Box-Muller).
    static func normal(using generator: inout SplitMix) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
        let u2 = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// SplitMix64: a small, fast, seeded generator, the same on every platform.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
