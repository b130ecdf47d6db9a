import Foundation

extension JournalEntry.Metric {
    /// A compared metric in one line a person can read:
    /// `request-duration: canary +18.2% (99% CI +11.0..+26.1%), p=0.0004 → high, fails`. Pure.
    /// `nil` for a metric that was not compared.
    public var comparisonLine: String? {
        guard let comparison else { return nil }
        let metric = self
        let confidence = String(format: "%g%%", (comparison.confidence ?? 0.99) * 100)
        var change: String
        if comparison.errorCounts == true {
            let rates = [comparison.canaryMedian, comparison.baselineMedian].map { $0.map { String(format: "%.2f%%", $0) } ?? "none" }
            change = "errors \(rates[0]) against \(rates[1]) (\(comparison.canaryCount) and \(comparison.baselineCount) requests)"
        } else if let shift = comparison.relativeShift {
            change = "canary \(Self.signed(shift))%"
            if let low = comparison.relativeLow, let high = comparison.relativeHigh {
                change += " (\(confidence) CI \(Self.signed(low))..\(Self.signed(high))%)"
            }
        } else if let shift = comparison.shift {
            change = "canary \(Self.signed(shift))"
            if let low = comparison.shiftLow, let high = comparison.shiftHigh {
                change += " (\(confidence) CI \(Self.signed(low))..\(Self.signed(high)))"
            }
        } else {
            change = comparison.reason
        }
        let p = comparison.p.map { ", p=\(String(format: "%.2g", $0))" } ?? ""
        let outcome = metric.dryRun == true ? "dry run, not deciding" : comparison.classification == "pass" ? "passes" : "fails"
        return "\(metric.name) vs \(comparison.against): \(change)\(p) → \(comparison.classification), \(outcome)"
    }

    /// The line under a compared metric: sample sizes, medians and the judge's reason. Pure.
    public static func comparisonDetail(_ comparison: JournalEntry.Comparison) -> String {
        let median = { (value: Double?) in value.map { String(format: "%.4g", $0) } ?? "none" }
        let samples =
            comparison.errorCounts == true
            ? ""
            : "n=\(comparison.canaryCount)/\(comparison.baselineCount), median \(median(comparison.canaryMedian)) against \(median(comparison.baselineMedian)); "
        return "      \(samples)\(comparison.reason)"
    }

    static func signed(_ value: Double) -> String { String(format: "%+.1f", value).replacingOccurrences(of: "+-", with: "-") }
}
