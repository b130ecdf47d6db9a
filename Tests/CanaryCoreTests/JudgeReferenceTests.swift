import CanaryCore
import Foundation
import KubeCore
import Testing

/// The judge's statistics against SciPy on a fixed table of samples (`Reference/judge-reference.json`, made by
/// `scripts/gen-judge-reference.py`): p-values, statistics and intervals agree to 1e-6.
@Suite struct JudgeReferenceTests {
    static let reference: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/judge-reference.json")
        return (try? JSONValue(parsing: String(contentsOf: url, encoding: .utf8))) ?? .null
    }()

    static func close(_ actual: Double?, _ expected: Double?, _ what: String) {
        guard let actual, let expected else { return #expect(actual == nil && expected == nil, "\(what): \(String(describing: actual))") }
        #expect(abs(actual - expected) <= 1e-6 * max(1, abs(expected)), "\(what): \(actual) vs SciPy's \(expected)")
    }

    static func numbers(_ value: JSONValue?) -> [Double] { (value?.arrayValue ?? []).compactMap(\.doubleValue) }

    @Test func rankSumTestsAndShiftsAgreeWithSciPy() throws {
        let samples = Self.reference["samples"]?.arrayValue ?? []
        #expect(samples.count >= 10)
        for sample in samples {
            let name = sample["name"]?.stringValue ?? ""
            let (baseline, canary) = (Self.numbers(sample["baseline"]), Self.numbers(sample["canary"]))
            let test = try #require(RankSumTest(baseline: baseline, canary: canary))
            Self.close(test.u, sample["u_greater"]?.doubleValue, "\(name) U")
            Self.close(test.pGreater, sample["p_greater"]?.doubleValue, "\(name) p greater")
            Self.close(test.pLess, sample["p_less"]?.doubleValue, "\(name) p less")
            Self.close(test.pTwoSided, sample["p_two-sided"]?.doubleValue, "\(name) p two-sided")
            let shift = try #require(RankSumTest.shift(baseline: baseline, canary: canary))
            Self.close(shift.estimate, sample["shift"]?.doubleValue, "\(name) shift")
            Self.close(shift.low, sample["shift_low"]?.doubleValue, "\(name) shift low")
            Self.close(shift.high, sample["shift_high"]?.doubleValue, "\(name) shift high")
            let spread = SpreadTest(baseline: baseline, canary: canary)
            Self.close(spread?.statistic, sample["brown_forsythe_w"]?.doubleValue, "\(name) Brown-Forsythe W")
            Self.close(spread?.p, sample["brown_forsythe_p"]?.doubleValue, "\(name) Brown-Forsythe p")
        }
    }

    @Test func countTestsAgreeWithSciPysFisherExactTest() {
        let counts = Self.reference["counts"]?.arrayValue ?? []
        #expect(counts.count >= 9)
        for count in counts {
            let p = CountTest.pGreater(
                canaryErrors: count["canary_errors"]?.intValue ?? 0, canaryTotal: count["canary_total"]?.intValue ?? 0,
                baselineErrors: count["baseline_errors"]?.intValue ?? 0, baselineTotal: count["baseline_total"]?.intValue ?? 0)
            Self.close(p, count["p_greater"]?.doubleValue, "\(count)")
        }
    }

    @Test func normalQuantilesAgreeWithSciPy() {
        for entry in Self.reference["normal_quantiles"]?.arrayValue ?? [] {
            Self.close(Distributions.normalQuantile(entry["p"]?.doubleValue ?? .nan), entry["z"]?.doubleValue, "quantile \(entry)")
        }
    }

    @Test func edgeCasesNeverTrap() {
        #expect(RankSumTest(baseline: [], canary: [1]) == nil)
        let identical = RankSumTest(baseline: [5, 5, 5], canary: [5, 5])
        #expect(identical?.pTwoSided.isNaN == true, "every value tied: nothing can be told apart")
        #expect(SpreadTest(baseline: [0, 0], canary: [0, 0]) == nil)
        #expect(SpreadTest(baseline: [1], canary: [1, 2]) == nil)
        let huge = RankSumTest(baseline: [1e308, -1e308, .greatestFiniteMagnitude], canary: [0, 1e300])
        #expect(huge.map { (0...1).contains($0.pTwoSided) } == true)
        #expect(RankSumTest.shift(baseline: [.nan, 1], canary: [2]) != nil)
        #expect(CountTest.pGreater(canaryErrors: 5, canaryTotal: 3, baselineErrors: -1, baselineTotal: 0) == 1)
        #expect(CountTest.pGreater(canaryErrors: 0, canaryTotal: 0, baselineErrors: 0, baselineTotal: 0) == 1)
        #expect(Distributions.normalQuantile(0) == -.infinity && Distributions.normalQuantile(2).isNaN)
        #expect(Distributions.fSurvival(.nan, 1, 3).isNaN && Distributions.fSurvival(0, 1, 3) == 1)
    }
}
