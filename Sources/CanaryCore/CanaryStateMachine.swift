import CanaryAPI
import Foundation
import KubeCore

/// The pure heart of Serin: `decide(observation) -> Decision`, one Flagger phase at a time.
///
/// Synchronous and deterministic: no IO and no clock but `observation.now`. The Canary's status is the only
/// memory, so any decision can be taken again after a crash: actions are idempotent (set routes to a value,
/// scale to a value, promote a template), and a step is due only when `interval` has passed since the status
/// last changed (`lastTransitionTime`).
///
/// A decision that needs a check's outcome (webhooks, metrics) says so in ``Decision/pending``; the
/// controller runs the check and decides again with the outcome in the observation, until nothing is
/// pending. Checks are asked for in Flagger's order, and only when the step is due.
public enum CanaryStateMachine {
    /// Decides what to do for a valid Canary whose target exists.
    ///
    /// Without routes (the routing objects were just created and are not observed yet) no weights are set,
    /// and the Canary is looked at again in a second.
    public static func decide(_ observation: Observation) -> Decision {
        var decision = withSlots(
            withPrevious(withBaseline(decidePhase(observation), observation: observation), observation: observation), observation: observation)
        if decision.pending == nil { decision.status = withSessionAffinity(decision.status, canary: observation.canary) }
        if handledAgain(observation) { decision.clearsRequest = true }  // a request handled before is only removed
        if observation.routes == nil, decision.pending == nil {
            decision.actions.removeAll { if case .setRoutes = $0 { return true } else { return false } }
            decision.requeueAfter = .seconds(1)
        }
        decision.waitsForTimeAlone = waitsForTimeAlone(decision, observation)
        return decision
    }

    private static func decidePhase(_ observation: Observation) -> Decision {
        var observation = observation
        observation.canary.status = observation.canary.status?.bounded()  // a hand-edited status cannot overflow a step
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        if canary.spec.suspend == true {
            return Decision(actions: [.event(.normal, "skipping canary run as object is suspended")], status: status)
        }
        if let restoring = restoringFromPrevious(observation) { return restoring }
        if let requested = request(observation) { return requested }
        switch status.phase ?? .initializing {
        case .initializing: return initialize(observation)
        case .initialized, .succeeded, .failed, .waiting: return watchForRevision(observation)
        case .progressing, .waitingPromotion: return progress(observation)
        case .promoting: return promoting(observation)
        case .finalising: return finalise(observation)
        case .terminating, .terminated: return Decision(status: status)
        }
    }

    /// Whether a status change from `old` to `new` ends a rollout (an analysis that promoted or rolled back),
    /// for the operator's duration and outcome metrics.
    public static func finishedRollout(from old: CanaryPhase?, to new: CanaryPhase?) -> Bool {
        guard let new, [.succeeded, .failed].contains(new) else { return false }
        return isAnalysing(old)
    }

    /// Whether an analysis is under way in `phase` (traffic may be on the canary): from its first step
    /// until promoted or rolled back. A confirm-rollout gate's `Waiting` comes before it.
    public static func isAnalysing(_ phase: CanaryPhase?) -> Bool {
        guard let phase else { return false }
        return [.progressing, .waitingPromotion, .promoting, .finalising].contains(phase)
    }

    /// Whether the analysis interval has passed since the status last changed.
    static func isDue(_ observation: Observation) -> Bool {
        remainingWait(observation) == .zero
    }

    /// How long until the next step is due: `interval` (the analysis interval when `nil`) after the status
    /// last changed.
    static func remainingWait(_ observation: Observation, interval: Duration? = nil) -> Duration {
        let interval = interval ?? observation.canary.analysisInterval(minimum: observation.minimumInterval)
        guard let text = observation.canary.status?.lastTransitionTime, let last = KubeTime(rfc3339: text)?.date else { return .zero }
        let elapsed = observation.now.timeIntervalSince(last)
        let remaining = interval.seconds - elapsed
        return remaining <= 0 ? .zero : .milliseconds(Int64(saturating: (remaining * 1000).rounded(.up)))
    }

    /// The promotion's Event: Flagger's copy to the primary; for a StatefulSet (Serin's), the partition opened.
    static func promotionMessage(_ canary: Canary) -> String {
        guard canary.targetKind != .statefulSet else {
            return "Promoting \(canary.dottedName): partition 0, every pod to the new revision"
        }
        return "Copying \(canary.dottedName) template spec to \(canary.primaryName).\(canary.namespace)"
    }

    /// The routes a phase wants, added as an action only when the live ones differ.
    static func enforce(_ wanted: Routes, _ observation: Observation) -> [CanaryAction] {
        observation.routes == wanted || !observation.splitsTraffic ? [] : [.setRoutes(wanted)]
    }
}
