import CanaryAPI
import CanaryCore
import KubeCore
import Logging
import Notifiers
import Synchronization

/// The operator's global alert provider (`--slack-url`, `--msteams-url`, as Flagger's flags): the events
/// Flagger alerts on (``CanaryAlerts``) are posted to it, with the `--cluster-name` field first and the
/// Canary's metadata fields where Flagger adds them.
///
/// ``post(_:canary:)`` only enqueues; ``run()`` delivers in order. A slow or failing receiver never delays a
/// reconcile; a failed delivery is logged (without the address) and dropped. At most ``capacity`` alerts
/// wait; beyond that new ones are dropped and logged. An alert repeating a Canary's previous one (a gate
/// found closed every interval) is not sent again.
final class OperatorAlerts: Sendable {
    static let capacity = 1_000

    let notifier: (any Notifier)?
    let clusterName: String
    let logger: Logger
    private let queue: AsyncStream<Alert>
    private let input: AsyncStream<Alert>.Continuation
    /// The last alert message of each Canary (`ns/name`).
    private let last = Mutex<[String: String]>([:])

    init(notifier: (any Notifier)?, clusterName: String, logger: Logger) {
        self.notifier = notifier
        self.clusterName = clusterName
        self.logger = logger
        (queue, input) = AsyncStream.makeStream(of: Alert.self, bufferingPolicy: .bufferingOldest(OperatorAlerts.capacity))
    }

    /// The alert Flagger sends for the event `message` about `canary`, if any. Pure.
    static func alert(for message: String, canary: Canary, clusterName: String) -> Alert? {
        guard let decided = CanaryAlerts.alert(for: message, canary: canary) else { return nil }
        var fields: [(name: String, value: String)] = clusterName.isEmpty ? [] : [("Cluster", clusterName)]
        if decided.withMetadata { fields += CanaryAlerts.metadata(canary) }
        let severity: Alert.Severity = switch decided.severity { case .info: .info; case .warn: .warn; case .error: .error }
        return Alert(canary: canary.metadata.name ?? "", namespace: canary.namespace, message: decided.message, fields: fields, severity: severity)
    }

    /// Enqueues the alert for an event of `canary`, when the event has one and a provider is configured.
    func post(_ event: CanaryAction, canary: Canary) {
        guard notifier != nil, case .event(_, let message) = event,
              let alert = OperatorAlerts.alert(for: message, canary: canary, clusterName: clusterName) else { return }
        let key = "\(canary.namespace)/\(canary.metadata.name ?? "")"
        let repeated = last.withLock { last in
            defer { last[key] = alert.message }
            return last[key] == alert.message
        }
        guard !repeated else { return }
        if case .dropped = input.yield(alert) {
            logger.warning("alert queue full, alert dropped", metadata: ["canary": "\(canary.namespace)/\(canary.metadata.name ?? "")"])
        }
    }

    /// Delivers until cancelled.
    func run() async {
        guard let notifier else { return }
        for await alert in queue {
            do { try await notifier.post(alert) } catch {
                logger.warning("alert not delivered", metadata: ["canary": "\(alert.namespace)/\(alert.canary)", "error": "\(error)"])
            }
        }
    }
}
