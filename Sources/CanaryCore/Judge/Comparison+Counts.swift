import Foundation

extension Comparison {
    /// Error counts compared as counts (Fisher's exact test, ``CountTest``): `high` when the canary's errors are
    /// significantly more likely than the baseline's *and* its error rate is higher by more than `maxIncrease`
    /// percent of the baseline's rate, or by more than 0.1 percentage point when the baseline had none.
    /// `nodata` without requests on either side; `inconclusive` when either served fewer than `minSamples`.
    /// Medians hold the error rates in percent; the shift is the difference in points. Pure.
    public init(baselineErrors: Int, baselineTotal: Int, canaryErrors: Int, canaryTotal: Int, rule: Rule) {
        let baselineTotal = min(max(baselineTotal, 0), CountTest.maximumCount), canaryTotal = min(max(canaryTotal, 0), CountTest.maximumCount)
        let baselineErrors = min(max(baselineErrors, 0), baselineTotal), canaryErrors = min(max(canaryErrors, 0), canaryTotal)
        baselineCount = baselineTotal
        canaryCount = canaryTotal
        guard baselineTotal > 0, canaryTotal > 0 else {
            baselineMedian = nil
            canaryMedian = nil
            (classification, reason) = (.nodata, "no requests to the \(baselineTotal == 0 ? "baseline" : "canary")")
            return
        }
        let baselineRate = 100 * Double(baselineErrors) / Double(baselineTotal)
        let canaryRate = 100 * Double(canaryErrors) / Double(canaryTotal)
        baselineMedian = baselineRate
        canaryMedian = canaryRate
        shift = (canaryRate - baselineRate, canaryRate - baselineRate, canaryRate - baselineRate)
        guard baselineTotal >= rule.minSamples, canaryTotal >= rule.minSamples else {
            (classification, reason) = (.inconclusive, "\(min(baselineTotal, canaryTotal)) requests, fewer than minSamples \(rule.minSamples)")
            return
        }
        let pValue = CountTest.pGreater(
            canaryErrors: canaryErrors, canaryTotal: canaryTotal, baselineErrors: baselineErrors, baselineTotal: baselineTotal)
        p = pValue
        let tolerance = baselineRate > 0 ? baselineRate * rule.maxIncrease / 100 : 0.1
        let counts = "\(canaryErrors) errors in \(canaryTotal) against \(baselineErrors) in \(baselineTotal)"
        if rule.direction != .decrease, pValue < 1 - rule.confidence, canaryRate - baselineRate > tolerance {
            (classification, reason) = (.high, "more errors: \(counts)")
        } else {
            (classification, reason) = (.pass, "no more errors than the baseline beyond chance: \(counts)")
        }
    }
}
