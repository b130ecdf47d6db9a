import CanaryAPI
import CanaryCore
import Foundation
import KubeCore

/// One trace per rollout: a root span from "New revision detected" to promotion or rollback, a child span
/// per step, and under each step a span per check (webhooks, metrics) and per write (routes, scaling,
/// promotion, events, the status).
///
/// ## Guarantees
/// - A rollout's trace id and root span id derive from the Canary's uid and the revision, so the steps of
///   one rollout share one trace across reconciles, replicas and restarts.
/// - Spans are exported off the reconcile path; with tracing off nothing is measured.
///
/// ## Caveats
/// - The root span is exported when the rollout ends, its start read from the journal; steps arrive
///   before it (OTLP receivers assemble them).
public struct RolloutTracing: Sendable {
    let exporter: OTLPExporter?

    public init(exporter: OTLPExporter?) { self.exporter = exporter }

    /// The trace of the step about to run on `canary`; `nil` when tracing is off.
    public func begin(_ canary: Canary) -> StepTrace? {
        guard exporter != nil else { return nil }
        return StepTrace(traceID: RolloutTracing.ids(canary, revision: canary.status?.lastAppliedSpec).traceID)
    }

    static func ids(_ canary: Canary, revision: String?) -> (traceID: String, spanID: String) {
        TraceSpan.ids(from: "\(canary.metadata.uid ?? canary.dottedName)/\(revision ?? "")")
    }

    /// Exports the step (when it belongs to a rollout and changed the status) and, when the rollout ended,
    /// its root span.
    public func finish(_ step: StepTrace?, canary: Canary, after: CanaryStatus, events: [String], now: Date) {
        guard let exporter, let step else { return }
        let before = canary.status ?? CanaryStatus()
        guard CanaryStateMachine.isAnalysing(before.phase) || CanaryStateMachine.isAnalysing(after.phase), after.journal != before.journal,
            let last = after.journal?.last
        else { return }
        let root = RolloutTracing.ids(canary, revision: after.lastAppliedSpec)
        let start = step.children.map(\.start).min() ?? now
        var spans = step.children.map { child in
            var child = child
            child.traceID = root.traceID
            return child
        }
        spans.append(
            TraceSpan(
                traceID: root.traceID, spanID: step.spanID, parentSpanID: root.spanID, name: "step: \(last.to)", start: start, end: now,
                attributes: [
                    "canary": "\(canary.namespace)/\(canary.metadata.name ?? "")", "from": last.from, "to": last.to,
                    "decision": events.joined(separator: "\n"),
                ]))
        if CanaryStateMachine.finishedRollout(from: before.phase, to: after.phase) {
            let began = RolloutTracing.rolloutStart(after.journal ?? []) ?? start
            spans.append(
                TraceSpan(
                    traceID: root.traceID, spanID: root.spanID, parentSpanID: nil,
                    name: "rollout \(canary.namespace)/\(canary.metadata.name ?? "")", start: began, end: now,
                    attributes: ["revision": after.lastAppliedSpec ?? "", "result": after.phase?.rawValue ?? ""],
                    error: after.phase == .failed ? events.last { $0.hasPrefix("Rolling back") } ?? "rolled back" : nil))
        }
        exporter.export(spans)
    }

    /// When the rollout the journal ends with began: its step into `Progressing` from a phase outside an
    /// analysis. Pure.
    static func rolloutStart(_ journal: [JournalEntry]) -> Date? {
        let starts = journal.filter { entry in
            let from = entry.from.split(separator: " ").first.map(String.init) ?? ""
            return entry.to.hasPrefix("Progressing") && !CanaryStateMachine.isAnalysing(CanaryPhase(rawValue: from))
        }
        return starts.last.flatMap { KubeTime(rfc3339: $0.time)?.date }
    }
}

/// Runs `body` as a child span of `trace`, or just runs it without one.
public func measured<T>(_ trace: StepTrace?, _ name: String, attributes: [String: String] = [:], _ body: () async throws -> T) async throws -> T {
    guard let trace else { return try await body() }
    return try await trace.measure(name, attributes: attributes, body)
}
