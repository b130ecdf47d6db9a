import CanaryAPI

extension CanaryStateMachine {
    /// Whether what comes after `decision` waits for time alone, so that a workload's status changing
    /// meanwhile (a canary becoming ready, a primary's counters moving) need not wake the Canary:
    /// - between analysis steps (Progressing, WaitingPromotion), once the canary is ready (and the baseline,
    ///   with one) or was just scaled up: Flagger checks readiness at the next step, and so does Serin;
    /// - at rest (Initialized, Succeeded, Failed) with nothing scheduled: only a new revision (a spec change)
    ///   starts anything.
    ///
    /// Never while waiting for a workload (a canary or primary not ready, a promotion rolling out): there a
    /// status change is what the Canary waits for, and it acts on it at once.
    public static func waitsForTimeAlone(_ decision: Decision, _ observation: Observation) -> Bool {
        guard decision.pending == nil, observation.routes != nil, let target = observation.target, let phase = decision.status.phase
        else { return false }
        switch phase {
        case .initialized, .succeeded, .failed:
            return decision.requeueAfter == nil
        case .progressing, .waitingPromotion:
            guard decision.requeueAfter != nil, target.readiness == .ready || decision.actions.contains(.scaleTargetUp) else { return false }
            guard wantsBaseline(observation.canary, phase: phase) else { return true }
            return observation.baseline.workload?.readiness == .ready
        case .initializing, .waiting, .promoting, .finalising, .terminating, .terminated:
            return false
        }
    }
}
