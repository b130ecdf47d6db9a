import CanaryAPI
import KubeCore
import Foundation

/// Which of a Canary's events Flagger also alerts on, with Flagger's alert text, severity and whether the
/// Canary's metadata fields go with it (`alertMetadata`), plus the alerts Serin adds where Flagger is
/// silent (a failed pre- or post-rollout hook, an invalid Canary, a gate closed for too long); which of the
/// Canary's `analysis.alerts` receive each. Pure: the operator builds and sends the alert.
public enum CanaryAlerts {
    public enum Severity: String, Sendable, Equatable { case info, warn, error }

    public struct Decided: Sendable, Equatable {
        public var message: String
        public var severity: Severity
        /// Target, failed-checks threshold, progress deadline and traffic routing go with it.
        public var withMetadata: Bool
        /// The webhook the alert is about (`muteAlert` silences it).
        public var gate: String?
        /// An approval gate holds the Canary: a gate closed for long gets a reminder.
        public var awaitsApproval: Bool

        public init(message: String, severity: Severity, withMetadata: Bool, gate: String? = nil, awaitsApproval: Bool = false) {
            self.message = message
            self.severity = severity
            self.withMetadata = withMetadata
            self.gate = gate
            self.awaitsApproval = awaitsApproval
        }
    }

    /// The alert sent with the event `message` about `canary`; `nil` for events without one, and for those
    /// of a webhook with `muteAlert: true`.
    public static func alert(for message: String, canary: Canary) -> Decided? {
        guard let decided = unmuted(message, canary: canary) else { return nil }
        if let hook = decided.gate, canary.spec.analysis?.webhooks?.first(where: { $0.name == hook })?.muteAlert == true { return nil }
        return decided
    }

    /// Serin's alert for a Canary refused as invalid (Flagger only logs).
    public static func invalid(_ message: String) -> Decided {
        Decided(message: "Canary is invalid and is not acted on: \(message)", severity: .error, withMetadata: false)
    }

    /// Serin's reminder that an approval gate has held the Canary for `duration` (Flagger alerts once, then
    /// is silent).
    public static func stillWaiting(_ decided: Decided, for duration: Duration) -> Decided {
        let waited = GoDuration(duration).description
        return Decided(
            message: "\(decided.message.dropLast()) for \(waited) (webhook \(decided.gate ?? "")).", severity: .warn, withMetadata: false,
            gate: decided.gate, awaitsApproval: true)
    }

    /// Whether an entry of `analysis.alerts` with `entry` severity receives an alert of `severity`:
    /// `info` receives all, `warn` warnings and errors, `error` errors only (Flagger's rule). An entry
    /// without a severity is `info`, as Flagger documents (Flagger itself sends it nothing).
    public static func receives(_ entry: String?, _ severity: Severity) -> Bool {
        switch entry.flatMap({ $0.isEmpty ? nil : $0 }) ?? "info" {
        case "info": return true
        case "warn": return severity == .warn || severity == .error
        case "error": return severity == .error
        default: return false
        }
    }

    /// Flagger's alerts, and Serin's for a failed pre- or post-rollout hook.
    private static func unmuted(_ message: String, canary: Canary) -> Decided? {
        let name = canary.dottedName
        func after(_ prefix: String) -> String? { message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : nil }
        if message.hasPrefix("New revision detected! Scaling up \(name)") {
            return Decided(message: "New revision detected, progressing canary analysis.", severity: .info, withMetadata: true)
        }
        if message == "Initialization done! \(name)" {
            let kind = canary.spec.targetRef?.kind ?? "Deployment"
            return Decided(
                message: "New \(kind.isEmpty ? "Deployment" : kind) detected, initialization completed.", severity: .info, withMetadata: true)
        }
        if message == "Promotion completed! Scaling down \(name)" {
            return Decided(message: "Canary analysis completed successfully, promotion finished.", severity: .info, withMetadata: false)
        }
        if let bake = after("Promotion of \(name) finished, baking: ") {
            let length = bake.components(separatedBy: " at full traffic for ").last?.components(separatedBy: ",").first ?? ""
            return Decided(message: "Promotion finished, baking the new version at full traffic for \(length).", severity: .info, withMetadata: false)
        }
        if message.hasPrefix("Stop the line: policy ") {
            return Decided(message: message, severity: .error, withMetadata: false)
        }
        if let outcome = after("Bake of \(name) failed: ") {
            return Decided(message: "Bake failed: \(outcome)", severity: .error, withMetadata: false)
        }
        if message == "Promotion completed! Canary analysis was skipped for \(name)" {
            return Decided(message: "Canary analysis was skipped, promotion finished.", severity: .info, withMetadata: false)
        }
        if let reason = after("Rolling back \(name) progress deadline exceeded ") {
            return Decided(message: "Progress deadline exceeded \(reason)", severity: .error, withMetadata: false)
        }
        if let count = after("Rolling back \(name) failed checks threshold reached ") {
            return Decided(message: "Failed checks threshold reached \(count)", severity: .error, withMetadata: false)
        }
        if message == "Rolling back \(name) manual webhook invoked" {
            return Decided(message: "Rolling back manual webhook invoked", severity: .warn, withMetadata: false)
        }
        if let who = after("Rolling back \(name): aborted by ") {
            return Decided(message: "Rolling back: aborted by \(who)", severity: .warn, withMetadata: false)
        }
        if let who = after("Promotion of \(name) requested by ") {
            return Decided(
                message: "Promotion requested by \(who.replacingOccurrences(of: ": skipping", with: ", skipping")).", severity: .info,
                withMetadata: false)
        }
        if let who = after("Retrying the analysis of \(name) requested by ") {
            return Decided(message: "Analysis retried, requested by \(who).", severity: .info, withMetadata: false)
        }
        if let frozen = after("Halt \(name) advancement: failed checks threshold reached "), frozen.contains("(analysis.onFailure: freeze)") {
            let checks = frozen.prefix { $0.isNumber }
            return Decided(
                message: "Canary analysis is frozen after \(checks) failed checks, waiting for promote, abort or retry.", severity: .error,
                withMetadata: true)
        }
        if message.hasPrefix("Halt \(name) advancement: the analysis is inconclusive after ") {
            return Decided(
                message: "Canary analysis is inconclusive, waiting for promote, abort or retry.", severity: .warn, withMetadata: false)
        }
        if let reason = after("Promotion of \(name) failed, primary not ready: ") {
            return Decided(message: "Promotion failed, primary not ready: \(reason)", severity: .error, withMetadata: false)
        }
        for (wait, text) in [
            ("waiting for traffic increase approval ", "Canary traffic increase is waiting for approval."),
            ("waiting for promotion approval ", "Canary promotion is waiting for approval."),
            ("waiting for approval ", "Canary is waiting for approval."),
        ] {
            if let hook = after("Halt \(name) advancement \(wait)") {
                return Decided(message: text, severity: .warn, withMetadata: false, gate: hook, awaitsApproval: true)
            }
        }
        for (kind, prefix) in [("Pre-rollout", "Halt \(name) advancement pre-rollout check "), ("Post-rollout", "Post-rollout hook ")] {
            guard let rest = after(prefix), let hook = canary.spec.analysis?.webhooks?.first(where: { rest.hasPrefix("\($0.name) failed") }) else {
                continue
            }
            let reason = rest.dropFirst("\(hook.name) failed".count).trimmingCharacters(in: .whitespaces)
            return Decided(
                message: "\(kind) check \(hook.name) failed\(reason.isEmpty ? "" : ": \(reason)")", severity: .warn, withMetadata: false,
                gate: hook.name)
        }
        return nil
    }

    /// Flagger's metadata fields of an alert: the target, the failed-checks threshold, the progress deadline
    /// and how traffic is routed.
    public static func metadata(_ canary: Canary) -> [(name: String, value: String)] {
        let kind = (canary.spec.targetRef?.kind).flatMap { $0.isEmpty ? nil : $0 } ?? "Deployment"
        var fields = [
            ("Target", "\(kind)/\(canary.targetName).\(canary.namespace)"), ("Failed checks threshold", "\(canary.threshold)"),
            ("Progress deadline", "\(canary.progressDeadlineSeconds)s"),
        ]
        let analysis = canary.spec.analysis
        switch canary.strategy {
        case .abTesting: fields.append(("Traffic routing", "A/B Testing"))
        case .blueGreen: fields.append(("Traffic routing", "Blue/Green"))
        case .canary:
            if let step = analysis?.stepWeight, step > 0 {
                fields.append(("Traffic routing", "Weight step: \(step) max: \(analysis?.maxWeight ?? 0)"))
            } else if let steps = analysis?.stepWeights, !steps.isEmpty {
                fields.append(("Traffic routing", "Weight steps: \(steps.map(String.init).joined(separator: ",")) max: \(analysis?.maxWeight ?? 0)"))
            }
        }
        return fields.map { (name: $0.0, value: $0.1) }
    }
}
