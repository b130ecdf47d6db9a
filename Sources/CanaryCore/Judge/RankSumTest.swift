import Foundation

/// The two-sample Mann-Whitney U (Wilcoxon rank-sum) test of a canary's sample against a baseline's, with the
/// normal approximation, the tie correction and the continuity correction (SciPy's `mannwhitneyu`,
/// `method="asymptotic"`), and the Hodges-Lehmann shift with its distribution-free confidence interval. Pure.
public struct RankSumTest: Sendable, Equatable {
    /// Which way the canary is tested to differ.
    public enum Alternative: String, Sendable, Codable {
        /// The canary's values are larger (`greater`), smaller (`less`), or either (`two-sided`).
        case greater, less, twoSided = "two-sided"
    }

    /// U of the canary's sample.
    public var u: Double
    /// The p-value for each alternative; NaN when every value is tied (nothing can be told apart).
    public var pGreater: Double
    public var pLess: Double
    public var pTwoSided: Double

    /// - Returns: `nil` when a sample is empty.
    public init?(baseline: [Double], canary: [Double]) {
        let (n1, n2) = (Double(canary.count), Double(baseline.count))
        guard n1 > 0, n2 > 0 else { return nil }
        let (ranks, tieTerm) = RankSumTest.ranks(canary + baseline)
        u = ranks.prefix(canary.count).reduce(0, +) - n1 * (n1 + 1) / 2
        let n = n1 + n2
        let mean = n1 * n2 / 2
        let deviation = (n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
        func upper(_ statistic: Double) -> Double {
            deviation > 0 ? min(Distributions.normalSurvival((statistic - mean - 0.5) / deviation), 1) : .nan
        }
        pGreater = upper(u)
        pLess = upper(n1 * n2 - u)
        pTwoSided = deviation > 0 ? min(2 * upper(max(u, n1 * n2 - u)), 1) : .nan
    }

    /// The p-value of `alternative`.
    public func p(_ alternative: Alternative) -> Double {
        switch alternative {
        case .greater: return pGreater
        case .less: return pLess
        case .twoSided: return pTwoSided
        }
    }

    /// Average ranks (1-based) of `values` in their order, and Σ(t³ − t) over groups of t ties.
    static func ranks(_ values: [Double]) -> (ranks: [Double], tieTerm: Double) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieTerm = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = average }
            let ties = Double(end - start + 1)
            tieTerm += ties * ties * ties - ties
            start = end + 1
        }
        return (ranks, tieTerm)
    }

    /// The Hodges-Lehmann estimate of how far the canary is shifted from the baseline (the median of every
    /// canary − baseline difference) and its `confidence` interval (Bauer 1972, normal approximation of the
    /// rank-sum distribution); `nil` for an empty sample.
    public static func shift(baseline: [Double], canary: [Double], confidence: Double = 0.95) -> (estimate: Double, low: Double, high: Double)? {
        guard !baseline.isEmpty, !canary.isEmpty, baseline.count * canary.count <= 4_000_000 else { return nil }
        let differences = canary.flatMap { value in baseline.map { value - $0 } }.sorted()
        let m = differences.count
        let (n1, n2) = (Double(baseline.count), Double(canary.count))
        let z = Distributions.normalQuantile(1 - (1 - confidence) / 2)
        let raw = (Double(m) / 2 - z * (n1 * n2 * (n1 + n2 + 1) / 12).squareRoot()).rounded(.down)
        let c = Int(min(max(raw.isFinite ? raw : 1, 1), Double(m)))
        return (median(differences), differences[c - 1], differences[m - c])
    }

    /// The median of sorted `values` (the mean of the middle two for an even count).
    static func median(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
