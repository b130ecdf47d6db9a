import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// `kubectl serin undo`: after a promotion (`Succeeded`), the primary gets back the revision it ran before
    /// and the current revision counts as failed, so it is not promoted again until the target changes (the
    /// target's spec is not touched: GitOps-safe). During an analysis the primary still runs the last good
    /// revision: undo rolls the canary back. Refused, saying why, when the primary records no earlier revision
    /// or the promotion changed tracked configs whose earlier data is gone.
    static func undo(_ observation: Observation, request: ControlRequest, refused: (String) -> Decision) -> Decision {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        let asked = "undo \(canary.dottedName) requested by \(request.by)"
        switch status.phase ?? .initializing {
        case .progressing, .waitingPromotion:
            return rollback(
                observation, status: status,
                first: [
                    .event(.warning, "Rolling back \(canary.dottedName): undo requested by \(request.by), the primary runs the last good version")
                ])
        case .finalising where canary.isBaking:
            return bakeRollback(
                observation, status: status,
                first: [.event(.warning, "Rolling back \(canary.dottedName): undo requested by \(request.by) during the bake")])
        case .succeeded:
            guard let primary = observation.primary, let previous = primary.previous else {
                return refused("Request to \(asked) ignored: \(canary.primaryName) records no earlier version (Serin records one at each promotion)")
            }
            if let blocked = primary.previousBlocked { return refused("Request to \(asked) ignored: \(blocked); change them back in the target") }
            var failed = status.transitioned(to: .failed, now: observation.now)
            failed.lastPromotedSpec = previous
            failed.canaryWeight = 0
            let message =
                "Undo of \(canary.dottedName) requested by \(request.by): \(canary.primaryName) goes back to revision \(previous), "
                + "revision \(status.lastAppliedSpec ?? "") counts as failed until the target changes"
            return Decision(actions: enforce(.allPrimary, observation) + [.event(.warning, message), .restorePrevious], status: failed)
        case let phase:
            return refused("Request to \(asked) ignored: the primary runs the last good version (the Canary is \(phase.rawValue))")
        }
    }
}
