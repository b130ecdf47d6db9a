import CanaryAPI
import Foundation
import KubeCore

/// The decision journal (`status.journal`): one ``JournalEntry`` per step that changed the status, with
/// the checks the step ran and what it decided; the last ``JournalEntry/kept`` are kept, each query once. Pure.
public enum CanaryJournal {
    /// `decision`'s status with its step journaled, when the step changed the status.
    ///
    /// - Parameter observation: the observation the decision was taken from, with the outcomes of the
    ///   checks it ran (`hooks`, `checks`).
    public static func journaled(_ decision: Decision, observation: Observation) -> CanaryStatus {
        let before = observation.canary.status ?? CanaryStatus()
        var status = decision.status
        var unjournaled = status
        unjournaled.journal = before.journal
        guard unjournaled != before else { return status }
        let webhooks = observation.hooks.sorted { $0.key.rawValue < $1.key.rawValue }.flatMap { type, results in
            results.map {
                JournalEntry.Webhook(name: $0.name, type: type.rawValue, passed: $0.passed, message: $0.message.isEmpty ? nil : $0.message)
            }
        }
        let records = observation.checks?.records ?? []
        var entry = JournalEntry(
            time: KubeTime(observation.now).description, from: describe(before), to: describe(status),
            metrics: records.isEmpty ? nil : records, webhooks: webhooks.isEmpty ? nil : webhooks, decision: decision.events)
        entry.verdict = observation.checks?.verdict?.outcome.rawValue
        entry.score = observation.checks?.verdict?.score
        status.journal = Array(((before.journal ?? []).expanded + [entry]).suffix(JournalEntry.kept)).compacted
        return status
    }

    /// `Progressing 20%`.
    static func describe(_ status: CanaryStatus) -> String {
        "\(status.phase?.rawValue ?? "Initializing") \(status.canaryWeight ?? 0)%"
    }
}
