import CanaryAPI
import Foundation

/// The baseline (`analysis.baseline`, Kayenta's method): `<target>-baseline` runs the primary's template at
/// the canary's size and takes the same weight as the canary, so that the two differ only by version.
///
/// Its life is decided from the status a decision leads to, one rule for every phase: it exists while an
/// analysis is under way (Progressing, WaitingPromotion) and at no other time. So it starts with the canary
/// (the decision that scales the canary up creates it), is created again if it goes missing (a crash, a
/// user's delete), and is deleted by the decision that promotes, rolls back or otherwise ends the analysis,
/// and by any later decision that still finds it (a leftover after a crash). Its weight is given back to
/// the primary before it is deleted.
extension CanaryStateMachine {
    /// Whether the Canary wants a baseline in `phase`: a canary-strategy analysis with `analysis.baseline`.
    public static func wantsBaseline(_ canary: Canary, phase: CanaryPhase?) -> Bool {
        guard canary.spec.analysis?.runsBaseline == true, canary.strategy == .canary, !canary.skipsAnalysis else { return false }
        return phase == .progressing || phase == .waitingPromotion
    }

    /// The routes of a canary-strategy step at canary weight `weight`: with a baseline (in `phase`), the
    /// baseline gets the canary's weight and the primary the rest (100 − 2 × weight).
    static func weighted(_ canary: Canary, _ weight: Int, phase: CanaryPhase?, mirrored: Bool = false) -> Routes {
        let baseline = wantsBaseline(canary, phase: phase) ? weight : 0
        return Routes(primary: max(100 - weight - baseline, 0), canary: weight, baseline: baseline, mirrored: mirrored)
    }

    /// The decision with the baseline's actions added: created (or resized to the canary's replicas) when
    /// the status it leads to wants one, deleted (after its weight went back to the primary) when not.
    static func withBaseline(_ decision: Decision, observation: Observation) -> Decision {
        guard decision.pending == nil, observation.canary.spec.suspend != true else { return decision }
        var decision = decision
        let baseline = observation.baseline
        if wantsBaseline(observation.canary, phase: decision.status.phase) {
            let resized = baseline.workload.map { live in (observation.target?.replicas ?? 0) > 0 && live.replicas != observation.target?.replicas }
            if baseline.workload == nil || !baseline.service || resized == true { decision.actions.append(.applyBaseline) }
            return decision
        }
        guard baseline.exists else { return decision }
        // No route to the baseline outlives it: its weight goes back to the primary first.
        var routed = false
        decision.actions = decision.actions.map { action in
            guard case .setRoutes(let routes) = action else { return action }
            routed = true
            return .setRoutes(routes.withoutBaseline)
        }
        if !routed, let live = observation.routes, live.baseline > 0 { decision.actions.append(.setRoutes(live.withoutBaseline)) }
        decision.actions.append(.deleteBaseline)
        return decision
    }

    /// During an analysis with a baseline: wait (routes unchanged) until the baseline is ready, as the canary
    /// is waited for; roll back when it cannot become ready. `nil` when there is nothing to wait for.
    static func waitForBaseline(_ observation: Observation, status: CanaryStatus) -> Decision? {
        let canary = observation.canary
        guard wantsBaseline(canary, phase: status.phase ?? .progressing) else { return nil }
        let name = "\(canary.baselineName).\(canary.namespace)"
        guard let workload = observation.baseline.workload, observation.baseline.service else {
            return Decision(actions: [.event(.normal, "Starting baseline \(name)")], status: status, requeueAfter: .seconds(5))
        }
        switch workload.readiness {
        case .ready: return nil
        case .waiting(let reason):
            return Decision(
                actions: [.event(.warning, "baseline deployment \(name) not ready: \(reason)")], status: status, requeueAfter: .seconds(5))
        case .failed(let reason):
            return rollback(
                observation, status: status, first: [.event(.warning, "Rolling back \(canary.dottedName) baseline \(name) not ready: \(reason)")])
        }
    }
}
