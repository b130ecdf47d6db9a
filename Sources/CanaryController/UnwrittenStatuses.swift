import CanaryAPI
import KubeRuntime
import Synchronization

/// Statuses decided and acted on whose write failed even after its retries, by Canary.
///
/// The step's actions (routes, scaling, events) have happened; deciding again from the old status would
/// run the step's checks and webhooks a second time. The next reconcile writes the remembered status
/// instead, as long as the Canary still has the status the step started from.
final class UnwrittenStatuses: Sendable {
    private let pending = Mutex<[ObjectKey: (from: CanaryStatus?, to: CanaryStatus)]>([:])

    func remember(_ key: ObjectKey, from: CanaryStatus?, to: CanaryStatus) { pending.withLock { $0[key] = (from, to) } }

    /// The status to write for a Canary whose current status is `current`, if a step left one; a Canary
    /// whose status moved on (someone else wrote it) drops it.
    func take(_ key: ObjectKey, current: CanaryStatus?) -> CanaryStatus? {
        pending.withLock { pending in
            guard let entry = pending.removeValue(forKey: key) else { return nil }
            return entry.from == current ? entry.to : nil
        }
    }
}
