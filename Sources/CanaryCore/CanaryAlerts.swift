import CanaryAPI

/// Which of a Canary's events Flagger also alerts on, with Flagger's alert text, severity and whether the
/// Canary's metadata fields go with it (`alertMetadata`). Pure: the operator builds and sends the alert.
public enum CanaryAlerts {
    public enum Severity: String, Sendable, Equatable { case info, warn, error }

    public struct Decided: Sendable, Equatable {
        public var message: String
        public var severity: Severity
        /// Target, failed-checks threshold, progress deadline and traffic routing go with it.
        public var withMetadata: Bool

        public init(message: String, severity: Severity, withMetadata: Bool) {
            self.message = message
            self.severity = severity
            self.withMetadata = withMetadata
        }
    }

    /// The alert Flagger sends with the event `message` about `canary`; `nil` for events without one.
    public static func alert(for message: String, canary: Canary) -> Decided? {
        let name = canary.dottedName
        func after(_ prefix: String) -> String? { message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : nil }
        if message.hasPrefix("New revision detected! Scaling up \(name)") {
            return Decided(message: "New revision detected, progressing canary analysis.", severity: .info, withMetadata: true)
        }
        if message == "Initialization done! \(name)" {
            let kind = canary.spec.targetRef?.kind ?? "Deployment"
            return Decided(message: "New \(kind.isEmpty ? "Deployment" : kind) detected, initialization completed.", severity: .info, withMetadata: true)
        }
        if message == "Promotion completed! Scaling down \(name)" {
            return Decided(message: "Canary analysis completed successfully, promotion finished.", severity: .info, withMetadata: false)
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
        if let reason = after("Promotion of \(name) failed, primary not ready: ") {
            return Decided(message: "Promotion failed, primary not ready: \(reason)", severity: .error, withMetadata: false)
        }
        for (wait, text) in [("waiting for traffic increase approval ", "Canary traffic increase is waiting for approval."),
                             ("waiting for promotion approval ", "Canary promotion is waiting for approval."),
                             ("waiting for approval ", "Canary is waiting for approval.")]
        where message.hasPrefix("Halt \(name) advancement \(wait)") {
            return Decided(message: text, severity: .warn, withMetadata: false)
        }
        return nil
    }

    /// Flagger's metadata fields of an alert: the target, the failed-checks threshold, the progress deadline
    /// and how traffic is routed.
    public static func metadata(_ canary: Canary) -> [(name: String, value: String)] {
        let kind = (canary.spec.targetRef?.kind).flatMap { $0.isEmpty ? nil : $0 } ?? "Deployment"
        var fields = [("Target", "\(kind)/\(canary.targetName).\(canary.namespace)"), ("Failed checks threshold", "\(canary.threshold)"),
                      ("Progress deadline", "\(canary.progressDeadlineSeconds)s")]
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
