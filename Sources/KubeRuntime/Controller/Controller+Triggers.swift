import KubeClient
import KubeCore
import Synchronization

extension Controller {
    /// A key to reconcile because an object changed; with ``ControllerConfig/ownWrites``, the changed
    /// object's fingerprint, to tell whether the change is that key's own write. Small: the reflector's
    /// streams buffer these, not objects, however far behind a trigger falls.
    struct Trigger: Sendable {
        var request: ReconcileRequest
        var fingerprint: OwnWrites.Fingerprint?
        /// A status change of an object whose watch said so (``StatusChanges/waitForTime``): it waits for
        /// the time a quiet key's reconcile asked for (``WorkQueue/addStatusChange(_:)``).
        var statusChange = false
    }

    /// The keys a change maps to. A deletion is never an echo.
    func triggers(
        _ requests: [ReconcileRequest], by change: CacheChange<some KubeObject>, in resource: KubeResource, statusChanges: StatusChanges = .wake
    ) -> [Trigger] {
        var statusChange = false
        if case .appliedStatus = change, statusChanges == .waitForTime { statusChange = true }
        guard let ownWrites = config.ownWrites, change.isApplied else {
            return requests.map { Trigger(request: $0, fingerprint: nil, statusChange: statusChange) }
        }
        let fingerprint = ownWrites.fingerprint(of: change.object, in: resource)
        return requests.map { Trigger(request: $0, fingerprint: fingerprint, statusChange: statusChange) }
    }

    /// Queues a trigger. While its key is reconciled, the trigger waits for the reconcile to end: its write's
    /// answer (which records the write) may come after the write's watch event.
    func add(_ trigger: Trigger) async {
        if trigger.statusChange {
            if await queue.addStatusChange(trigger.request) { metrics.skippedStatusChange(controller: name) }
            return
        }
        guard let fingerprint = trigger.fingerprint else { return await queue.add(trigger.request) }
        if inFlight.stash(fingerprint, for: trigger.request) { return }
        await add(trigger.request, echoes: [fingerprint])
    }

    /// Queues a key for changes that are all echoes (``WorkQueue/addEcho(_:)``) or not.
    func add(_ request: ReconcileRequest, echoes: [OwnWrites.Fingerprint]) async {
        guard !echoes.isEmpty, let ownWrites = config.ownWrites else { return }
        if echoes.allSatisfy({ ownWrites.isWrite($0, by: request) }) {
            if !(await queue.addEcho(request)) { metrics.skippedEcho(controller: name) }
        } else {
            await queue.add(request)
        }
    }
}

/// How a watch of related objects treats a change of their status (or metadata) alone, their spec unchanged.
public enum StatusChanges: Sendable, Equatable {
    /// It reconciles the keys it maps to, as any change does.
    case wake
    /// It waits for the time a key's last reconcile asked for when that reconcile said it waits for time
    /// alone (``ReconcileAction/quiet(requeueAfter:)``); other keys it reconciles as any change does.
    case waitForTime
}

extension CacheChange {
    /// Whether the object is there after the change (applied, with or without a new generation).
    var isApplied: Bool {
        if case .deleted = self { return false }
        return true
    }
}

/// The triggers that arrived for keys being reconciled, decided when their reconcile ends.
final class InFlightTriggers: Sendable {
    private let keys = Mutex<[ReconcileRequest: [OwnWrites.Fingerprint]]>([:])

    func begin(_ request: ReconcileRequest) { keys.withLock { $0[request] = [] } }

    /// Keeps a trigger of a key being reconciled; `false` when the key is not.
    func stash(_ fingerprint: OwnWrites.Fingerprint, for request: ReconcileRequest) -> Bool {
        keys.withLock { keys in
            guard keys[request] != nil else { return false }
            keys[request]?.append(fingerprint)
            return true
        }
    }

    /// The triggers kept for the key; it is no longer in flight.
    func end(_ request: ReconcileRequest) -> [OwnWrites.Fingerprint] { keys.withLock { $0.removeValue(forKey: request) ?? [] } }
}
