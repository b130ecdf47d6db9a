import CanaryCore
import Foundation
import Testing

/// The judge's classes on samples whose answer is known.
@Suite struct ComparisonTests {
    /// A fixed, seeded generator: the same samples on every run.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    /// `count` latencies around `median` ms, log-normal with the spread `sigma`.
    static func latencies(_ count: Int, median: Double, sigma: Double = 0.2, seed: UInt64) -> [Double] {
        var generator = Seeded(state: seed)
        return (0..<count).map { _ in
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator), u2 = Double.random(in: 0..<1, using: &generator)
            return median * exp(sigma * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
    }

    @Test func aCanaryTwentyPercentSlowerIsHighAndOneAsFastPasses() {
        let baseline = Self.latencies(60, median: 100, seed: 1)
        let slower = Comparison(baseline: baseline, canary: Self.latencies(60, median: 120, seed: 2), rule: .init())
        #expect(slower.classification == .high, "\(slower.reason)")
        #expect((slower.relativeShift?.estimate ?? 0) > 10 && (slower.p ?? 1) < 0.05)
        let same = Comparison(baseline: baseline, canary: Self.latencies(60, median: 100, seed: 3), rule: .init())
        #expect(same.classification == .pass, "\(same.reason)")
    }

    @Test func aSmallSignificantShiftWithinTheToleranceStillPasses() {
        let baseline = Self.latencies(400, median: 100, sigma: 0.05, seed: 4)
        let canary = Self.latencies(400, median: 104, sigma: 0.05, seed: 5)
        let comparison = Comparison(baseline: baseline, canary: canary, rule: .init(maxIncrease: 10))
        #expect((comparison.p ?? 1) < 0.05 && comparison.classification == .pass, "\(comparison.reason)")
    }

    @Test func aCanaryOnlyMoreVariableIsHighNotASilentPass() {
        let baseline = Self.latencies(80, median: 100, sigma: 0.05, seed: 6)
        let canary = Self.latencies(80, median: 100, sigma: 0.4, seed: 7)
        let comparison = Comparison(baseline: baseline, canary: canary, rule: .init())
        #expect(comparison.classification == .high && comparison.reason.hasPrefix("more variable"), "\(comparison.reason)")
    }

    @Test func directionsDecideWhatIsBad() {
        let baseline = Self.latencies(50, median: 100, seed: 8)
        let faster = Self.latencies(50, median: 70, seed: 9)
        #expect(Comparison(baseline: baseline, canary: faster, rule: .init(direction: .increase)).classification == .pass)
        #expect(Comparison(baseline: baseline, canary: faster, rule: .init(direction: .decrease)).classification == .low)
        #expect(Comparison(baseline: baseline, canary: faster, rule: .init(direction: .either)).classification == .low)
    }

    @Test func tooFewOrNoValuesAreSaidSoNeverPassed() {
        #expect(Comparison(baseline: [], canary: [1, 2], rule: .init()).classification == .nodata)
        #expect(Comparison(baseline: [1, 2, 3], canary: [.nan, .infinity], rule: .init()).classification == .nodata)
        let few = Comparison(baseline: [1, 2, 3], canary: [9, 9, 9], rule: .init(minSamples: 10))
        #expect(few.classification == .inconclusive && few.reason == "3 values, fewer than minSamples 10")
        let tied = Comparison(baseline: Array(repeating: 0, count: 20), canary: Array(repeating: 0, count: 20), rule: .init())
        #expect(tied.classification == .pass && tied.relativeShift == nil)
        let huge = Comparison(
            baseline: Array(repeating: 1e308, count: 12), canary: Array(repeating: -1e308, count: 12), rule: .init(direction: .either))
        #expect([.pass, .low, .high].contains(huge.classification))
    }
}
