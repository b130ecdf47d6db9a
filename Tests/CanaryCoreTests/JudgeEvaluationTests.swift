import CanaryCore
import Testing

/// The judge's promises on 100 seeded simulated rollouts per kind of release (`JudgeEvaluation`; `serin-bench judge`
/// runs 200 and more): it catches at
/// least 95% of the +10% latency and +1 point error releases, rolls back at most 2% of the good ones, and does
/// clearly better than fixed thresholds where thresholds are blind (a 10% slower release under the limit, a quiet
/// service with one error).
@Suite struct JudgeEvaluationTests {
    static func rates(_ name: String) throws -> JudgeEvaluation.Rates {
        let index = try #require(JudgeEvaluation.cases.firstIndex { $0.name == name })
        return JudgeEvaluation.rates(JudgeEvaluation.cases[index], rollouts: 100, seed: 1 + UInt64(index))
    }

    @Test func theJudgeCatchesBadReleasesAndSparesGoodOnes() throws {
        let slower = try Self.rates("latency +10%"), errors = try Self.rates("errors +1 point")
        #expect(slower.judge >= 0.95 && errors.judge >= 0.95, "detection: latency \(slower.judge), errors \(errors.judge)")
        let same = try Self.rates("no change"), quiet = try Self.rates("quiet service, one error")
        #expect(same.judge <= 0.02 && quiet.judge <= 0.02, "false failures: no change \(same.judge), quiet \(quiet.judge)")
    }

    @Test func fixedThresholdsDoClearlyWorseWhereTheyAreBlind() throws {
        let slower = try Self.rates("latency +10%"), quiet = try Self.rates("quiet service, one error")
        #expect(slower.thresholds < slower.judge - 0.5, "a 10% slower release stays under a fixed P99 limit: \(slower.thresholds)")
        #expect(quiet.thresholds > quiet.judge + 0.5, "one error on a quiet service fails a fixed success rate: \(quiet.thresholds)")
        let variable = try Self.rates("only more variable")
        #expect(variable.judge >= 0.9, "a canary only more variable is seen: \(variable.judge)")
    }
}
