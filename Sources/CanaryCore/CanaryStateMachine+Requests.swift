import CanaryAPI
import Foundation
import KubeCore

extension CanaryStateMachine {
    /// A human's `serin.dev/request` (``ControlRequest``), decided before the phase's own step; `nil`
    /// without one, or when the status records it as handled already (``handledAgain(_:)``). Every outcome
    /// records the request's fingerprint in `status.lastHandledRequest` and clears it: carried out (promote,
    /// abort, retry) or refused with a Warning saying why (another revision, a phase it does not apply to,
    /// an unreadable, oversized or too deeply nested value).
    static func request(_ observation: Observation) -> Decision? {
        guard let value = observation.canary.metadata.annotations?[ControlRequest.annotation] else { return nil }
        let fingerprint = ControlRequest.fingerprint(of: value)
        guard observation.canary.status?.lastHandledRequest != fingerprint, var decision = deciding(observation) else { return nil }
        decision.status.lastHandledRequest = fingerprint
        decision.clearsRequest = true
        return decision
    }

    /// Whether the Canary still carries a request its status records as handled: the status write that
    /// handled it has been observed, its removal not yet (or the removal failed). It is only removed again,
    /// with no Event and no action of its own; the phase's step goes on as without it.
    static func handledAgain(_ observation: Observation) -> Bool {
        guard let value = observation.canary.metadata.annotations?[ControlRequest.annotation] else { return false }
        return observation.canary.status?.lastHandledRequest == ControlRequest.fingerprint(of: value)
    }

    /// What a request not handled before asks for: carried out or refused.
    private static func deciding(_ observation: Observation) -> Decision? {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        func refused(_ why: String) -> Decision { Decision(actions: [.event(.warning, why)], status: status) }
        let request: ControlRequest
        switch ControlRequest.find(in: canary.metadata.annotations) {
        case .none: return nil
        case .malformed(let why): return refused("Request on \(canary.dottedName) ignored: \(ControlRequest.annotation) \(why)")
        case .request(let found): request = found
        }
        let phase = status.phase ?? .initializing
        let asked = "\(request.action.rawValue) \(canary.dottedName) requested by \(request.by)"
        guard request.revision == status.lastAppliedSpec else {
            return refused(
                "Request to \(asked) ignored: it is for revision \(request.revision), the Canary is at \(status.lastAppliedSpec ?? "none")")
        }
        let decision: Decision
        switch (request.action, phase) {
        case (.promote, .progressing) where releasePause(observation, status: status, by: request.by) != nil:
            guard let released = releasePause(observation, status: status, by: request.by) else { return nil }
            decision = released
        case (.promote, .progressing), (.promote, .waitingPromotion):
            var promoting = status.transitioned(to: .promoting, now: observation.now)
            promoting.canaryWeight = status.canaryWeight ?? 0
            decision = Decision(
                actions: [
                    .event(.normal, "Promotion of \(canary.dottedName) requested by \(request.by): skipping the rest of the analysis"),
                    .event(.normal, promotionMessage(canary)), .promote,
                ], status: promoting, requeueAfter: .seconds(5))
        case (.promote, .finalising) where canary.isBaking:
            decision = finished(
                observation, status: status,
                events: [.event(.normal, "Bake of \(canary.dottedName) ended early: promotion requested by \(request.by)")])
        case (.abort, .finalising) where canary.isBaking:
            decision = bakeRollback(
                observation, status: status, first: [.event(.warning, "Rolling back \(canary.dottedName): aborted by \(request.by)")])
        case (.abort, .progressing), (.abort, .waitingPromotion):
            decision = rollback(observation, status: status, first: [.event(.warning, "Rolling back \(canary.dottedName): aborted by \(request.by)")])
        case (.retry, .failed) where observation.target?.templateHash == status.lastAppliedSpec:
            guard let target = observation.target else { return nil }
            let progressing = status.restarted(target: target, now: observation.now).transitioned(to: .progressing, now: observation.now)
            decision = Decision(
                actions: enforce(.allPrimary, observation) + [
                    .event(.normal, "Retrying the analysis of \(canary.dottedName) requested by \(request.by)"), .scaleTargetUp,
                ], status: progressing, requeueAfter: canary.analysisInterval(minimum: observation.minimumInterval))
        case (.retry, .progressing), (.retry, .waitingPromotion):
            guard pausedInconclusive(canary, status) || frozen(canary, status) else { fallthrough }
            var resumed = status.transitioned(to: phase, now: observation.now)
            let forgotten = frozen(canary, status) ? "failed checks forgotten" : "inconclusive steps forgotten"
            (resumed.inconclusiveSteps, resumed.failedChecks) = (nil, frozen(canary, status) ? 0 : status.failedChecks)
            decision = Decision(
                actions: [.event(.normal, "Retrying the analysis of \(canary.dottedName) requested by \(request.by): \(forgotten)")],
                status: resumed, requeueAfter: canary.analysisInterval(minimum: observation.minimumInterval))
        case (.retry, _):
            return refused(
                "Request to \(asked) ignored: only a Failed rollout of the target's current revision, or an analysis paused as inconclusive or frozen, can be retried (the Canary is \(phase.rawValue))"
            )
        case (.undo, _):
            return undo(observation, request: request, refused: refused)
        default:
            return refused("Request to \(asked) ignored: no analysis is under way (the Canary is \(phase.rawValue))")
        }
        return decision
    }

    /// `kubectl serin pause`: the Canary holds where it is (no step, no new rollout) until resumed; `nil`
    /// when it is not paused. A rollback on a failed readiness still happens.
    static func paused(_ observation: Observation, routes: [CanaryAction]) -> Decision? {
        let canary = observation.canary
        guard let by = ControlRequest.pausedBy(canary.metadata.annotations) else { return nil }
        return Decision(
            actions: routes + [.event(.normal, "Halt \(canary.dottedName) advancement: paused by \(by)")], status: canary.status ?? CanaryStatus())
    }
}
