import ArgumentParser
import CanaryAPI
import Foundation
import KubeClient
import KubeCore

/// `serin explain NAME`: the decision journal (`status.journal`), step by step: each query as sent, its
/// value against the threshold, each webhook's outcome, and what was decided.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Show why a Canary is where it is: its last analysis steps, checks and decisions.")

    @Argument(help: "The Canary.") var name: String
    @OptionGroup var options: CanaryCLIOptions

    @Flag(help: "Show each query as it was sent.")
    var queries = false

    func run() async throws {
        try await options.with { client, namespace, _ in
            let canary = try await client.canary(name, namespace: namespace)
            let journal: [JournalEntry]
            do { journal = try (canary[path: "status", "journal"] ?? []).decode(as: [JournalEntry].self) } catch {
                Console.error("error: status.journal of canary \(namespace)/\(name) cannot be read: \(error)")
                throw ExitCode.failure
            }
            Console.line(ExplainCommand.render(journal.expanded, canary: "\(namespace)/\(name)", queries: queries))
        }
    }

    /// The journal as text, oldest step first. Pure.
    static func render(_ journal: [JournalEntry], canary: String, queries: Bool) -> String {
        guard !journal.isEmpty else { return "canary \(canary): no analysis step recorded yet" }
        var lines = ["canary \(canary): the last \(journal.count) steps"]
        for entry in journal {
            lines.append("")
            lines.append("\(entry.time)  \(entry.from) → \(entry.to)")
            for metric in entry.metrics ?? [] {
                let mark = metric.passed ? "✓" : metric.dryRun == true ? "~" : "✗"
                if let comparison = metric.comparison, let line = metric.comparisonLine {
                    lines.append("  \(mark) \(line)")
                    lines.append(JournalEntry.Metric.comparisonDetail(comparison))
                    if queries, let query = metric.query { lines.append("      query: \(query)") }
                    continue
                }
                let value = metric.value.map { String(format: "%.4g", $0) } ?? "no value"
                lines.append(
                    "  \(mark) metric \(metric.name) = \(value)  (\(metric.threshold ?? "no threshold"))"
                        + (metric.passed ? "" : ": \(metric.message ?? "failed")") + (metric.dryRun == true ? " (dry run, not deciding)" : ""))
                if queries, let query = metric.query {
                    lines.append("      query: \(query.split(whereSeparator: \.isNewline).joined(separator: " "))")
                }
            }
            for hook in entry.webhooks ?? [] {
                lines.append("  \(hook.passed ? "✓" : "✗") webhook \(hook.name) (\(hook.type))" + (hook.message.map { ": \($0)" } ?? ""))
            }
            if let verdict = entry.verdict {
                lines.append("  judge: \(verdict)" + (entry.score.map { " (score \(String(format: "%.0f", $0)))" } ?? ""))
            }
            for event in entry.decision { lines.append("  → \(event)") }
        }
        return lines.joined(separator: "\n")
    }
}
