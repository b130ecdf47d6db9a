import KubeClient
import KubeCore
import Synchronization

extension Controller {
    /// A key to reconcile because an object changed; `isEcho` (with ``ControllerConfig/ownWrites``) tells
    /// whether the change is that key's own write.
    struct Trigger: Sendable {
        var request: ReconcileRequest
        var isEcho: (@Sendable () -> Bool)?
    }

    /// The keys a change maps to. A deletion is never an echo.
    func triggers(_ requests: [ReconcileRequest], by change: CacheChange<some KubeObject>, in resource: KubeResource) -> [Trigger] {
        guard let ownWrites = config.ownWrites, case .applied(let object) = change else {
            return requests.map { Trigger(request: $0, isEcho: nil) }
        }
        return requests.map { request in Trigger(request: request, isEcho: { ownWrites.isWrite(of: object, in: resource, by: request) }) }
    }

    /// Queues a trigger. While its key is reconciled, the trigger waits for the reconcile to end: its write's
    /// answer (which records the write) may come after the write's watch event.
    func add(_ trigger: Trigger) async {
        guard let isEcho = trigger.isEcho else { return await queue.add(trigger.request) }
        if inFlight.stash(isEcho, for: trigger.request) { return }
        await add(trigger.request, echoes: [isEcho])
    }

    /// Queues a key for changes that are all echoes (``WorkQueue/addEcho(_:)``) or not.
    func add(_ request: ReconcileRequest, echoes: [@Sendable () -> Bool]) async {
        guard !echoes.isEmpty else { return }
        if echoes.allSatisfy({ $0() }) {
            if !(await queue.addEcho(request)) { metrics.skippedEcho(controller: name) }
        } else {
            await queue.add(request)
        }
    }
}

/// The triggers that arrived for keys being reconciled, decided when their reconcile ends.
final class InFlightTriggers: Sendable {
    private let keys = Mutex<[ReconcileRequest: [@Sendable () -> Bool]]>([:])

    func begin(_ request: ReconcileRequest) { keys.withLock { $0[request] = [] } }

    /// Keeps a trigger of a key being reconciled; `false` when the key is not.
    func stash(_ isEcho: @escaping @Sendable () -> Bool, for request: ReconcileRequest) -> Bool {
        keys.withLock { keys in
            guard keys[request] != nil else { return false }
            keys[request]?.append(isEcho)
            return true
        }
    }

    /// The triggers kept for the key; it is no longer in flight.
    func end(_ request: ReconcileRequest) -> [@Sendable () -> Bool] { keys.withLock { $0.removeValue(forKey: request) ?? [] } }
}
