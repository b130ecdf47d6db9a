import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// The finalizer `revertOnDeletion` adds (Flagger's name).
    public static let finalizer = "finalizer.flagger.app"

    /// A Canary with `revertOnDeletion` is being deleted: give the workload back to the target before the
    /// primary and the routing objects are garbage-collected.
    ///
    /// Terminating → the target is scaled back up (to the primary's replicas) → once it is ready,
    /// Terminated, the baseline (if any) deleted and the finalizer removed. (Flagger declares Terminated but
    /// never sets it.)
    public static func terminate(_ observation: Observation) -> Decision {
        let canary = observation.canary
        var status = canary.status ?? CanaryStatus()
        var actions: [CanaryAction] = []
        if status.phase != .terminating {
            status = status.transitioned(to: .terminating, now: observation.now)
            actions.append(.event(.normal, "Terminating canary \(canary.dottedName)"))
        }
        let last: [CanaryAction] =
            (observation.baseline.exists ? [.deleteBaseline] : []) + (observation.previous.exists ? [.deletePrevious] : []) + [.removeFinalizer]
        guard let target = observation.target else {
            // Nothing to give back: the target is gone.
            return Decision(
                actions: actions + [.event(.normal, "Terminated canary \(canary.dottedName)")] + last,
                status: status.transitioned(to: .terminated, now: observation.now))
        }
        if target.replicas == 0 { return Decision(actions: actions + [.scaleTargetUp], status: status, requeueAfter: .seconds(1)) }
        guard target.readiness == .ready else { return Decision(actions: actions, status: status, requeueAfter: .seconds(1)) }
        return Decision(
            actions: actions + [.event(.normal, "Terminated canary \(canary.dottedName)")] + last,
            status: status.transitioned(to: .terminated, now: observation.now))
    }
}
