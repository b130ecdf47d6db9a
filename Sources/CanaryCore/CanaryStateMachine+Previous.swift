import CanaryAPI
import Foundation

/// The previous version (`analysis.bake.keepPrevious`): `<target>-previous` runs the template the primary ran
/// before its promotion, at the primary's size, routed at weight 0, for as long as the bake lasts, so that a
/// failed bake moves all traffic to it in one route change.
///
/// Its life is decided from the status a decision leads to and the routes, one rule for every phase: it
/// exists while a bake is under way and while it serves traffic (a rollback whose primary is not back on the
/// previous version yet), and at no other time. So it is created with the bake, created again if it goes
/// missing, and deleted by the decision that ends the bake or routes the traffic back to the primary, and by
/// any later decision that still finds it (a leftover after a crash).
extension CanaryStateMachine {
    /// The decision with the previous version's actions added: created (or resized to the primary's
    /// replicas) while wanted, deleted once not.
    static func withPrevious(_ decision: Decision, observation: Observation) -> Decision {
        guard decision.pending == nil, observation.canary.spec.suspend != true else { return decision }
        var decision = decision
        let routed = decision.actions.reduce(observation.routes?.previous ?? 0) { weight, action in
            if case .setRoutes(let routes) = action { return routes.previous }
            return weight
        }
        let baking = decision.status.phase == .finalising && decision.status.bakeStarted != nil
        if routed > 0 || (baking && observation.canary.keepsPrevious) {
            let live = observation.previous
            let resized = live.workload.map { workload in observation.primary.map { $0.replicas > 0 && $0.replicas != workload.replicas } ?? false }
            if live.workload == nil || !live.service || resized == true { decision.actions.append(.applyPrevious) }
            return decision
        }
        if observation.previous.exists { decision.actions.append(.deletePrevious) }
        return decision
    }

    /// Traffic is on the previous version (a failed bake's instant rollback): it stays there until the
    /// primary runs the previous revision again and is ready, then goes back to the primary. `nil` when the
    /// previous version has no traffic, or while a bake is under way (its own decision resumes the rollback).
    static func restoringFromPrevious(_ observation: Observation) -> Decision? {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        guard let live = observation.routes, live.previous > 0, !canary.isBaking, status.phase != .terminating else { return nil }
        guard let primary = observation.primary, primary.templateHash == status.lastPromotedSpec, primary.readiness == .ready else {
            // The primary's own rollback failed (its Warning said why) while its record is there: again.
            let again = observation.primary.map { $0.previous != nil && $0.previous == status.lastPromotedSpec } ?? false
            return Decision(actions: again ? [.restorePrevious] : [], status: status, requeueAfter: .seconds(1))
        }
        let message = "Routing all traffic back to \(canary.primaryName): it runs revision \(primary.templateHash) again"
        return Decision(actions: [.setRoutes(.allPrimary), .event(.normal, message)], status: status)
    }
}
