import Foundation

/// One analysis step's verdict over its compared metrics (Kayenta's score, with Serin's inconclusive state):
/// a failing `critical` metric fails the step alone; otherwise the score — the share of the metrics' weight
/// whose class is `pass`, 0–100 — at or above `pass` passes, at or above `marginal` is inconclusive, below fails.
/// A metric that is itself inconclusive keeps its weight out of the score and makes a passing step
/// inconclusive (too few values is never a pass). Pure.
public struct StepVerdict: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable { case pass, inconclusive, fail }

    /// One compared metric as the verdict sees it (`nodata` is decided before, by the metric's `noData`).
    public struct Judged: Sendable, Equatable {
        public var name: String
        public var classification: Comparison.Classification
        public var weight: Double
        public var critical: Bool

        public init(name: String, classification: Comparison.Classification, weight: Double = 1, critical: Bool = false) {
            self.name = name
            self.classification = classification
            self.weight = weight
            self.critical = critical
        }
    }

    public var outcome: Outcome
    /// 0–100; `nil` when no metric with weight was scored.
    public var score: Double?
    public var reason: String

    public init(_ metrics: [Judged], pass: Double, marginal: Double) {
        let failing = metrics.filter { $0.classification == .high || $0.classification == .low }
        if let critical = failing.first(where: \.critical) {
            (outcome, score, reason) = (.fail, nil, "critical metric \(critical.name) is \(critical.classification.rawValue)")
            return
        }
        let weight = { (judged: [Judged]) in judged.reduce(0.0) { $0 + (($1.weight.isFinite && $1.weight > 0) ? $1.weight : 0) } }
        let scored = metrics.filter { $0.classification != .inconclusive && $0.classification != .nodata }
        let total = weight(scored)
        let undecided = metrics.filter { $0.classification == .inconclusive }.map(\.name)
        score = total > 0 ? 100 * weight(scored.filter { $0.classification == .pass }) / total : nil
        let shown = score.map { "score \(StepVerdict.number($0))" } ?? "no score"
        if let score, score < marginal {
            (outcome, reason) = (.fail, "\(shown) below marginal \(StepVerdict.number(marginal)): \(failing.map(\.name).joined(separator: ", "))")
        } else if !undecided.isEmpty {
            (outcome, reason) = (.inconclusive, "\(shown); inconclusive: \(undecided.joined(separator: ", "))")
        } else if let score, score < pass {
            (outcome, reason) = (
                .inconclusive, "\(shown) is marginal (pass \(StepVerdict.number(pass))): \(failing.map(\.name).joined(separator: ", "))"
            )
        } else if score == nil, !failing.isEmpty {
            (outcome, reason) = (.fail, "\(failing.map(\.name).joined(separator: ", ")) failed (no weight to score)")
        } else {
            (outcome, reason) = (.pass, shown)
        }
    }

    static func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value) }
}
