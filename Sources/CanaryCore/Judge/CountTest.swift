import Foundation

/// Error counts judged as counts: Fisher's exact test that the canary's errors are more likely than the
/// baseline's (SciPy's `fisher_exact(alternative="greater")`), so one error on a quiet service is not a failure
/// and 3 in 40 against 0 in 4,000 is. Pure.
public enum CountTest {
    /// The largest count read (a billion): larger ones are clamped, so sums cannot overflow.
    public static let maximumCount = 1_000_000_000

    /// The one-sided p-value; 1 when there is nothing to compare (no requests, or no errors at all). Counts are
    /// clamped to be sane (errors within totals), never trapped on.
    public static func pGreater(canaryErrors: Int, canaryTotal: Int, baselineErrors: Int, baselineTotal: Int) -> Double {
        let canaryTotal = min(max(canaryTotal, 0), maximumCount), baselineTotal = min(max(baselineTotal, 0), maximumCount)
        let canaryErrors = min(max(canaryErrors, 0), canaryTotal), baselineErrors = min(max(baselineErrors, 0), baselineTotal)
        let population = canaryTotal + baselineTotal
        let errors = canaryErrors + baselineErrors
        guard population > 0, errors > 0 else { return 1 }
        let most = min(errors, canaryTotal)
        guard canaryErrors <= most else { return 0 }
        var p = 0.0
        let expected = Double(errors) * Double(canaryTotal) / Double(population)
        for k in canaryErrors...most {
            let term = Distributions.hypergeometric(k, population: population, successes: errors, draws: canaryTotal)
            p += term
            // Past the mean the terms only shrink: stop once they no longer change the sum.
            if Double(k) > expected, term < p * 1e-17 { break }
        }
        return min(p, 1)
    }
}
