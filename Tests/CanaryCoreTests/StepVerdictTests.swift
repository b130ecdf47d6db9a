import CanaryAPI
import CanaryCore
import Foundation
import Testing

/// The step's verdict over compared metrics, and error counts judged as counts.
@Suite struct StepVerdictTests {
    typealias Judged = StepVerdict.Judged

    @Test func theScoreDecidesBetweenPassMarginalAndFail() {
        let four = ["a", "b", "c", "d"].map { Judged(name: $0, classification: .pass) }
        #expect(StepVerdict(four, pass: 95, marginal: 75) == StepVerdict(four, pass: 95, marginal: 75))
        #expect(StepVerdict(four, pass: 95, marginal: 75).outcome == .pass)
        #expect(StepVerdict(four, pass: 95, marginal: 75).score == 100)
        var oneHigh = four
        oneHigh[3].classification = .high
        let marginal = StepVerdict(oneHigh, pass: 95, marginal: 75)
        #expect(marginal.outcome == .inconclusive && marginal.score == 75, "\(marginal.reason)")
        oneHigh[2].classification = .low
        let failed = StepVerdict(oneHigh, pass: 95, marginal: 75)
        #expect(failed.outcome == .fail && failed.score == 50 && failed.reason.contains("c, d"), "\(failed.reason)")
    }

    @Test func aCriticalMetricFailsTheStepAloneAndWeightsCount() {
        let heavy = [Judged(name: "latency", classification: .pass, weight: 9), Judged(name: "errors", classification: .high, weight: 1)]
        #expect(StepVerdict(heavy, pass: 85, marginal: 50).outcome == .pass)
        var critical = heavy
        critical[1].critical = true
        let failed = StepVerdict(critical, pass: 85, marginal: 50)
        #expect(failed.outcome == .fail && failed.reason == "critical metric errors is high")
    }

    @Test func anInconclusiveMetricIsNeverAPassButAFailingRestStillFails() {
        let waiting = StepVerdict(
            [Judged(name: "latency", classification: .pass), Judged(name: "errors", classification: .inconclusive)], pass: 95, marginal: 75)
        #expect(waiting.outcome == .inconclusive && waiting.score == 100 && waiting.reason.contains("inconclusive: errors"))
        let failing = StepVerdict(
            [Judged(name: "latency", classification: .high), Judged(name: "errors", classification: .inconclusive)], pass: 95, marginal: 75)
        #expect(failing.outcome == .fail && failing.score == 0)
        let alone = StepVerdict([Judged(name: "errors", classification: .inconclusive)], pass: 95, marginal: 75)
        #expect(alone.outcome == .inconclusive && alone.score == nil)
    }

    @Test func weightsThatAreZeroOrNotNumbersNeverTrap() {
        let zero = StepVerdict(
            [Judged(name: "a", classification: .high, weight: 0), Judged(name: "b", classification: .pass, weight: .nan)], pass: 95, marginal: 75)
        #expect(zero.outcome == .fail && zero.score == nil, "\(zero.reason)")
        #expect(StepVerdict([], pass: 95, marginal: 75).outcome == .pass)
        #expect(StepVerdict([Judged(name: "a", classification: .pass, weight: .infinity)], pass: 95, marginal: 75).outcome == .pass)
    }

    @Test func errorCountsAreJudgedAsCounts() {
        let rule = Comparison.Rule(minSamples: 10, confidence: 0.99)
        // One error on a quiet service is not a failure; 3 in 40 against none in 4,000 is.
        let quiet = Comparison(baselineErrors: 0, baselineTotal: 50, canaryErrors: 1, canaryTotal: 50, rule: rule)
        #expect(quiet.classification == .pass && abs((quiet.p ?? 0) - 0.5) < 1e-9, "\(quiet.reason)")
        let bad = Comparison(baselineErrors: 0, baselineTotal: 4000, canaryErrors: 3, canaryTotal: 40, rule: rule)
        #expect(bad.classification == .high && (bad.p ?? 1) < 1e-5 && bad.canaryMedian == 7.5, "\(bad.reason)")
        #expect(bad.reason == "more errors: 3 errors in 40 against 0 in 4000")
        // A significant difference inside the tolerance (5% of the baseline's 10% rate) passes.
        let close = Comparison(baselineErrors: 10_000, baselineTotal: 100_000, canaryErrors: 10_400, canaryTotal: 100_000, rule: rule)
        #expect((close.p ?? 1) < 0.01 && close.classification == .pass, "\(close.reason)")
        #expect(Comparison(baselineErrors: 0, baselineTotal: 0, canaryErrors: 1, canaryTotal: 5, rule: rule).classification == .nodata)
        #expect(Comparison(baselineErrors: 0, baselineTotal: 100, canaryErrors: 1, canaryTotal: 5, rule: rule).classification == .inconclusive)
        // Nonsense counts are clamped, never trapped on.
        let clamped = Comparison(baselineErrors: -5, baselineTotal: 100, canaryErrors: 500, canaryTotal: 100, rule: rule)
        #expect(clamped.canaryMedian == 100 && clamped.classification == .high)
        let huge = Comparison(baselineErrors: Int.max, baselineTotal: Int.max, canaryErrors: Int.min, canaryTotal: 10, rule: rule)
        #expect(huge.classification != .high)
    }

    @Test func theEvaluatedRuleIsTheDefaultOfACompareField() {
        let rule = JudgeEvaluation.rule
        #expect(rule.maxIncrease == MetricComparison.Defaults.maxIncrease && rule.confidence == MetricComparison.Defaults.confidence)
        #expect(rule.minSamples == MetricComparison.Defaults.minSamples && rule.direction.rawValue == MetricComparison.Defaults.direction)
    }
}
