import ArgumentParser
import CanaryCore
import Foundation

/// `serin-bench judge`: seeded simulated rollouts of each kind of release, judged by Serin's judge and by
/// Flagger-style fixed thresholds on the same data; prints how often each rolled the release back.
struct JudgeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "judge", abstract: "Detection and false-failure rates of the judge.")

    @Option(help: "Simulated rollouts per kind of release.") var rollouts = 200
    @Option(help: "The seed of the first kind; each kind adds its index.") var seed: UInt64 = 1

    func run() {
        print("serin-bench judge --rollouts \(rollouts) --seed \(seed)")
        print(
            "each rollout: \(JudgeEvaluation.steps) steps of \(JudgeEvaluation.points) scrapes, rolled back at \(JudgeEvaluation.threshold) failed checks"
        )
        print(
            "| release | bad? | rolled back by the judge | by thresholds (P99 ≤ \(Int(JudgeEvaluation.maxP99)) ms, success ≥ \(Int(JudgeEvaluation.minSuccess))%) |"
        )
        print("| --- | --- | --- | --- |")
        for (index, kind) in JudgeEvaluation.cases.enumerated() {
            let rates = JudgeEvaluation.rates(kind, rollouts: rollouts, seed: seed + UInt64(index))
            func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
            print("| \(kind.name) | \(kind.bad ? "yes" : "no") | \(percent(rates.judge)) | \(percent(rates.thresholds)) |")
        }
    }
}
