import Foundation

/// The Brown-Forsythe test of equal spread (Levene's test around the medians: SciPy's `levene(center="median")`),
/// so a canary that is only more variable is seen. Pure.
public struct SpreadTest: Sendable, Equatable {
    public var statistic: Double
    public var p: Double
    /// The median absolute deviation from the median of each sample.
    public var baselineSpread: Double
    public var canarySpread: Double

    /// `nil` with fewer than two values in a sample, or when neither sample varies at all.
    public init?(baseline: [Double], canary: [Double]) {
        guard baseline.count > 1, canary.count > 1 else { return nil }
        let groups = [baseline, canary].map { sample -> [Double] in
            let center = RankSumTest.median(sample.sorted())
            return sample.map { abs($0 - center) }
        }
        let means = groups.map { $0.reduce(0, +) / Double($0.count) }
        let all = groups.flatMap { $0 }
        let grand = all.reduce(0, +) / Double(all.count)
        let between = zip(groups, means).reduce(0.0) { $0 + Double($1.0.count) * ($1.1 - grand) * ($1.1 - grand) }
        let within = zip(groups, means).reduce(0.0) { total, pair in total + pair.0.reduce(0.0) { $0 + ($1 - pair.1) * ($1 - pair.1) } }
        guard within > 0 || between > 0 else { return nil }
        let n = Double(all.count)
        statistic = within > 0 ? (n - 2) * between / within : .infinity
        p = Distributions.fSurvival(statistic, 1, n - 2)
        baselineSpread = RankSumTest.median(groups[0].sorted())
        canarySpread = RankSumTest.median(groups[1].sorted())
    }
}
