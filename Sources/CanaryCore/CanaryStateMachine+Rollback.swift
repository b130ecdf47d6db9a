import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// Rolls back: all traffic to the primary, the canary scaled to zero, phase Failed.
    static func rollback(_ observation: Observation, status: CanaryStatus, first: [CanaryAction]) -> Decision {
        let canary = observation.canary
        var actions = first.filter { if case .setRoutes = $0 { return false } else { return true } }
        if (status.failedChecks ?? 0) >= canary.threshold {
            actions.append(.event(.warning, "Rolling back \(canary.dottedName) failed checks threshold reached \(status.failedChecks ?? 0)"))
        }
        actions += [.setRoutes(.allPrimary), .event(.warning, "Canary failed! Scaling down \(canary.dottedName)"), .scaleTargetToZero]
        actions += postRollout(canary, phase: .failed)
        var failed = status.transitioned(to: .failed, now: observation.now)
        failed.canaryWeight = 0
        failed.iterations = 0
        return Decision(actions: actions, status: failed)
    }

    /// The primary cannot roll out the promoted template: keep the healthy canary serving, phase Failed.
    static func failedPromotion(_ observation: Observation, status: CanaryStatus, reason: String) -> Decision {
        let canary = observation.canary
        var failed = status.transitioned(to: .failed, now: observation.now)
        failed.canaryWeight = 100
        return Decision(
            actions: [
                .event(.warning, "Promotion of \(canary.dottedName) failed, primary not ready: \(reason)"),
                .setRoutes(Routes(primary: 0, canary: 100)),
            ] + postRollout(canary, phase: .failed), status: failed)
    }
}
