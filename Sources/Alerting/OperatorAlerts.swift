import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import KubeRuntime
import Logging
import Notifiers
import Synchronization

/// A Canary's alerts: Flagger's (``CanaryAlerts``) and Serin's, sent to the Canary's `analysis.alerts`
/// providers, or to the global providers of the operator's flags when it names none, with the
/// `--cluster-name` field first and the Canary's metadata fields where Flagger adds them.
///
/// ## Guarantees
/// - ``post(_:canary:)`` only enqueues: a slow, failing or dead receiver never delays a reconcile nor an
///   analysis step.
/// - Each destination has its own ordered lane (``run()``): a dead receiver holds up its own alerts only.
/// - A post that fails for a reason worth retrying (no answer, 5xx, 429) is tried ``retries`` more times
///   with a doubling delay; one that still fails is counted (`serin_alerts_total{result="failed"}`), logged
///   without the address, and shown as a Warning event `AlertFailed` on the Canary.
/// - An alert repeating the Canary's previous one (a gate found closed every interval) is not sent again;
///   a gate closed for longer than `stuckGateAfter` sends one reminder.
/// - At most 20 posts a minute go to one destination (the chat robots' limit); more wait their turn.
///
/// ## Caveats
/// - What was last sent is kept in memory: after a restart or a leader change, a repeated alert may be
///   sent once more and the stuck-gate clock starts again.
/// - A lane holds at most ``laneCapacity`` alerts; beyond that new ones are dropped and counted.
public final class OperatorAlerts: Sendable {
    static let laneCapacity = 1_000

    struct Delivery: Sendable {
        var destination: AlertDestination
        var alert: Alert
        var reference: EventObjectReference
    }

    /// The last alert of one Canary.
    struct Last: Sendable {
        var message: String
        var since: Date
        var reminded: Bool
    }

    let globals: [AlertProviderType: any Notifier]
    /// The global providers' types, in a stable order.
    let globalTypes: [AlertProviderType]
    let resolver: AlertProviderResolver?
    let clusterName: String
    let stuckGateAfter: Duration?
    let retries: Int
    let retryDelay: Duration
    let events: EventRecorder?
    let metrics: (any AlertDeliveryCounter)?
    let logger: Logger
    let clock: OperatorClock

    /// The wall date now, on the operator's clock.
    func now() -> Date { clock.date }
    let queue: AsyncStream<Delivery>
    let input: AsyncStream<Delivery>.Continuation
    private let last = Mutex<[String: Last]>([:])

    public init(
        globals: [AlertProviderType: any Notifier], resolver: AlertProviderResolver?, clusterName: String, stuckGateAfter: Duration? = nil,
        retries: Int = 2, retryDelay: Duration = .seconds(1), events: EventRecorder? = nil, metrics: (any AlertDeliveryCounter)? = nil,
        logger: Logger,
        clock: OperatorClock = .system
    ) {
        self.globals = globals
        self.globalTypes = AlertProviderType.allCases.filter { globals[$0] != nil }
        self.resolver = resolver
        self.clusterName = clusterName
        self.stuckGateAfter = stuckGateAfter.flatMap { $0 > .zero ? $0 : nil }
        self.retries = retries
        self.retryDelay = retryDelay
        self.events = events
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        (queue, input) = AsyncStream.makeStream(of: Delivery.self)
    }

    /// The alert `decided` about `canary` as posted: the cluster field, then the metadata fields. Pure.
    static func alert(_ decided: CanaryAlerts.Decided, canary: Canary, clusterName: String) -> Alert {
        var fields: [(name: String, value: String)] = clusterName.isEmpty ? [] : [("Cluster", clusterName)]
        if decided.withMetadata { fields += CanaryAlerts.metadata(canary) }
        let severity: Alert.Severity =
            switch decided.severity {
            case .info: .info;
            case .warn: .warn;
            case .error: .error
            }
        return Alert(canary: canary.metadata.name ?? "", namespace: canary.namespace, message: decided.message, fields: fields, severity: severity)
    }

    /// Enqueues the alert of an event of `canary`, when the event has one.
    public func post(_ event: CanaryAction, canary: Canary) {
        guard case .event(_, let message) = event, let decided = CanaryAlerts.alert(for: message, canary: canary) else { return }
        guard let decided = admitted(decided, canary: canary) else { return }
        enqueue(decided, canary: canary)
    }

    /// Enqueues Serin's alert for a Canary found invalid (`message` says why).
    public func postInvalid(_ message: String, canary: Canary) {
        guard let decided = admitted(CanaryAlerts.invalid(message), canary: canary) else { return }
        enqueue(decided, canary: canary)
    }

    /// `decided`, unless it repeats the Canary's previous alert; the stuck-gate reminder when a repeated
    /// gate has been closed for `stuckGateAfter`.
    private func admitted(_ decided: CanaryAlerts.Decided, canary: Canary) -> CanaryAlerts.Decided? {
        let key = "\(canary.namespace)/\(canary.metadata.name ?? "")"
        let at = now()
        return last.withLock { last -> CanaryAlerts.Decided? in
            guard var previous = last[key], previous.message == decided.message else {
                last[key] = Last(message: decided.message, since: at, reminded: false)
                return decided
            }
            guard decided.awaitsApproval, let stuckGateAfter, !previous.reminded else { return nil }
            let waited = Duration.seconds(Int64(at.timeIntervalSince(previous.since)))  // whole seconds, as the reminder says
            guard waited >= stuckGateAfter else { return nil }
            previous.reminded = true
            last[key] = previous
            return CanaryAlerts.stillWaiting(decided, for: waited)
        }
    }

    private func enqueue(_ decided: CanaryAlerts.Decided, canary: Canary) {
        let alert = OperatorAlerts.alert(decided, canary: canary, clusterName: clusterName)
        let reference = EventObjectReference(
            apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, namespace: canary.namespace,
            name: canary.metadata.name ?? "", uid: canary.metadata.uid)
        for destination in AlertDestination.destinations(of: canary, severity: decided.severity, globals: globalTypes) {
            input.yield(Delivery(destination: destination, alert: alert, reference: reference))
        }
    }
}
