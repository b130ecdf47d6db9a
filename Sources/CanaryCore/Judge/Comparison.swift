import Foundation

/// One metric of the canary compared with the baseline: the statistics, and the class they give under a
/// ``Rule``. Pure: the judge decides, the analysis queries.
public struct Comparison: Sendable, Equatable {
    /// What a comparison concludes (Kayenta's classes, plus `inconclusive`).
    public enum Classification: String, Sendable, Codable {
        /// No meaningful difference in the bad direction.
        case pass
        /// The canary is significantly higher (or more variable) beyond the tolerance.
        case high
        /// The canary is significantly lower beyond the tolerance.
        case low
        /// A sample is empty.
        case nodata
        /// Too few values to tell.
        case inconclusive
    }

    /// Which way is bad, how big a change is tolerated, and how sure the judge must be.
    public struct Rule: Sendable, Equatable {
        public enum Direction: String, Sendable, Codable { case increase, decrease, either }
        public var direction: Direction
        /// The largest tolerated increase (decrease) of the canary's median over the baseline's, in percent.
        public var maxIncrease: Double
        public var maxDecrease: Double
        /// Fewer values than this in either sample is inconclusive.
        public var minSamples: Int
        /// 1 − the significance level; also the shift interval's confidence.
        public var confidence: Double

        public init(
            direction: Direction = .increase, maxIncrease: Double = 10, maxDecrease: Double = 10, minSamples: Int = 10, confidence: Double = 0.95
        ) {
            self.direction = direction
            self.maxIncrease = maxIncrease
            self.maxDecrease = maxDecrease
            self.minSamples = minSamples
            self.confidence = confidence
        }
    }

    public var classification: Classification
    public var baselineCount: Int
    public var canaryCount: Int
    public var baselineMedian: Double?
    public var canaryMedian: Double?
    /// The Hodges-Lehmann shift (canary − baseline) and its interval, as a percentage of the baseline's median
    /// when that is not zero.
    public var shift: (estimate: Double, low: Double, high: Double)?
    public var relativeShift: (estimate: Double, low: Double, high: Double)?
    /// The rank-sum p-value in the rule's direction.
    public var p: Double?
    public var spread: SpreadTest?
    /// Why the class is what it is, in one line.
    public var reason: String

    /// Compares `canary` with `baseline` under `rule`; non-finite values are dropped first.
    public init(baseline raw: [Double], canary rawCanary: [Double], rule: Rule) {
        let baseline = raw.filter(\.isFinite), canary = rawCanary.filter(\.isFinite)
        baselineCount = baseline.count
        canaryCount = canary.count
        baselineMedian = baseline.isEmpty ? nil : RankSumTest.median(baseline.sorted())
        canaryMedian = canary.isEmpty ? nil : RankSumTest.median(canary.sorted())
        guard !baseline.isEmpty, !canary.isEmpty else {
            (classification, reason) = (.nodata, "no values for the \(baseline.isEmpty ? "baseline" : "canary")")
            return
        }
        guard baseline.count >= rule.minSamples, canary.count >= rule.minSamples else {
            (classification, reason) = (.inconclusive, "\(min(baseline.count, canary.count)) values, fewer than minSamples \(rule.minSamples)")
            return
        }
        let test = RankSumTest(baseline: baseline, canary: canary)
        shift = RankSumTest.shift(baseline: baseline, canary: canary, confidence: rule.confidence)
        if let shift, let median = baselineMedian, median != 0 {
            let scale = 100 / abs(median)
            relativeShift = (shift.estimate * scale, shift.low * scale, shift.high * scale)
        }
        spread = SpreadTest(baseline: baseline, canary: canary)
        (classification, p, reason) = Comparison.classify(test: test, relative: relativeShift, spread: spread, rule: rule)
    }

    /// The class from the tests: significant in a bad direction *and* beyond the tolerance; else a canary
    /// significantly more variable beyond the tolerance is `high`; else `pass`.
    static func classify(
        test: RankSumTest?, relative: (estimate: Double, low: Double, high: Double)?, spread: SpreadTest?, rule: Rule
    ) -> (Classification, Double?, String) {
        let alpha = 1 - rule.confidence
        guard let test, !test.pTwoSided.isNaN else { return (.pass, nil, "the samples cannot be told apart (every value tied)") }
        let increase = relative?.estimate ?? 0
        if rule.direction != .decrease, test.pGreater < alpha, increase > rule.maxIncrease {
            return (.high, test.pGreater, "higher by \(Comparison.percent(increase)) (limit \(Comparison.percent(rule.maxIncrease)))")
        }
        if rule.direction != .increase, test.pLess < alpha, -increase > rule.maxDecrease {
            return (.low, test.pLess, "lower by \(Comparison.percent(-increase)) (limit \(Comparison.percent(rule.maxDecrease)))")
        }
        if let spread, spread.p < alpha, spread.canarySpread > spread.baselineSpread * (1 + rule.maxIncrease / 100) {
            return (
                .high, spread.p, "more variable: spread \(Comparison.number(spread.canarySpread)) against \(Comparison.number(spread.baselineSpread))"
            )
        }
        let p = rule.direction == .increase ? test.pGreater : rule.direction == .decrease ? test.pLess : test.pTwoSided
        return (.pass, p, "no difference beyond the tolerance")
    }

    /// `+5.0%`, `-3.2%`.
    public static func percent(_ value: Double) -> String { String(format: "%+.1f%%", value).replacingOccurrences(of: "+-", with: "-") }
    static func number(_ value: Double) -> String { String(format: "%.3g", value) }

    public static func == (lhs: Comparison, rhs: Comparison) -> Bool {
        lhs.classification == rhs.classification && lhs.baselineCount == rhs.baselineCount && lhs.canaryCount == rhs.canaryCount
            && lhs.p == rhs.p && lhs.reason == rhs.reason
    }
}
