import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// Initializing: wait for the primary, then take the target out of service.
    static func initialize(_ observation: Observation) -> Decision {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        guard let target = observation.target else { return Decision(status: status) }
        if !canary.skipsAnalysis, let primary = observation.primary, primary.readiness != .ready {
            var waiting = status
            if status.phase != .initializing { waiting = status.transitioned(to: .initializing, now: observation.now) }
            let message: String
            switch primary.readiness {
            case .waiting(let reason), .failed(let reason):
                // A Knative Service has no `-primary` workload: its primary is a revision of the target itself.
                // Nor has a StatefulSet: its primary is its current revision.
                let primary = [.knativeService, .statefulSet].contains(canary.targetKind) ? canary.targetName : canary.primaryName
                message = "\(primary).\(canary.namespace) not ready: \(reason)"
            case .ready: message = ""
            }
            return Decision(actions: [.event(.warning, message)], status: waiting, requeueAfter: .seconds(5))
        }
        guard observation.primary != nil else {
            return Decision(
                status: status.phase == nil ? status.transitioned(to: .initializing, now: observation.now) : status,
                requeueAfter: .seconds(1))
        }
        var done = status.restarted(target: target, now: observation.now).transitioned(to: .initialized, now: observation.now)
        done.lastPromotedSpec = target.templateHash
        var actions: [CanaryAction] = []
        if target.replicas > 0 { actions.append(.scaleTargetToZero) }
        actions += enforce(.allPrimary, observation)
        actions.append(.event(.normal, "Initialization done! \(canary.dottedName)"))
        return Decision(actions: actions, status: done)
    }

    /// Initialized, Succeeded, Failed or Waiting: a new revision of the target starts a rollout once the
    /// confirm-rollout webhooks approve it.
    static func watchForRevision(_ observation: Observation) -> Decision {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        guard let target = observation.target else { return Decision(status: status) }
        let routes = enforce(.allPrimary, observation)
        if target.templateHash == status.lastAppliedSpec || status.lastAppliedSpec == nil && target.templateHash == status.lastPromotedSpec {
            guard status.phase == .waiting else { return Decision(actions: routes, status: status) }
            // The revision that waited for approval was withdrawn: back to where the last rollout ended.
            let ended: CanaryPhase = status.lastAppliedSpec == status.lastPromotedSpec ? .succeeded : .failed
            return Decision(actions: routes, status: status.transitioned(to: ended, now: observation.now))
        }
        if target.templateHash == status.lastPromotedSpec || target.templateHash == observation.primary?.templateHash {
            // What the primary already runs (a manual rollback, or a primary another operator — Flagger —
            // promoted, whose hashes are its own): nothing to analyse.
            var synced = status.applying(target)
            synced.lastPromotedSpec = target.templateHash
            if status.phase == .waiting { synced = synced.transitioned(to: .succeeded, now: observation.now) }
            return Decision(actions: routes, status: synced)
        }
        if let paused = paused(observation, routes: routes) { return paused }
        if status.phase == .waiting && !waitsForSlot(status) && !isDue(observation) {
            return Decision(actions: routes, status: status, requeueAfter: remainingWait(observation))
        }
        let interval = canary.analysisInterval(minimum: observation.minimumInterval)
        var actions = routes
        switch hooks(.confirmRollout, phase: status.phase ?? .initialized, observation) {
        case .pending(let check): return .needs(check, status: status)
        case .failed(_, let events):
            // Held until the gate opens; asked again every interval.
            return Decision(actions: routes + events, status: status.transitioned(to: .waiting, now: observation.now), requeueAfter: interval)
        case .passed(let events): actions += events
        }
        if let ordered = waitForDependencies(observation, status: status, actions: actions) { return ordered }
        if let stopped = waitForResume(observation, status: status, actions: actions) { return stopped }
        if let frozen = waitForThaw(observation, status: status, actions: actions) { return frozen }
        if !observation.slots.mayAnalyse { return waitForSlot(observation, status: status, actions: actions) }
        actions += freezeOverridden(observation)
        let progressing = status.restarted(target: target, now: observation.now).transitioned(to: .progressing, now: observation.now)
        actions += [
            .event(.normal, "New revision detected! Scaling up \(canary.dottedName)"),
            .scaleTargetUp,
        ]
        return Decision(actions: actions, status: progressing, requeueAfter: interval)
    }
}
