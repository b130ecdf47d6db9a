import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// Progressing or WaitingPromotion: one analysis step every interval, moving traffic while the checks pass.
    ///
    /// Flagger's order: rollback webhooks, the failed-checks threshold, then pre-rollout webhooks on the
    /// first step or rollout webhooks and metrics on the others, then the traffic and promotion gates.
    static func progress(_ observation: Observation) -> Decision {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        guard let target = observation.target else { return Decision(status: status) }
        if target.templateHash != status.lastAppliedSpec {
            let restarted = status.restarted(target: target, now: observation.now).transitioned(to: .progressing, now: observation.now)
            return Decision(
                actions: enforce(.allPrimary, observation) + [.event(.normal, "New revision detected! Restarting analysis for \(canary.dottedName)")],
                status: restarted, requeueAfter: canary.analysisInterval(minimum: observation.minimumInterval))
        }
        switch target.readiness {
        case .failed(let reason):
            // Flagger's readiness warning, then the rollback's own reason (Flagger has the text but never reaches it).
            return rollback(
                observation, status: status,
                first: [
                    .event(.warning, "canary deployment \(canary.dottedName) not ready: \(reason)"),
                    .event(.warning, "Rolling back \(canary.dottedName) progress deadline exceeded \(reason)"),
                ])
        case .waiting(let reason):
            return Decision(
                actions: [.event(.warning, "canary deployment \(canary.dottedName) not ready: \(reason)")], status: status,
                requeueAfter: .seconds(5))
        case .ready: break
        }
        if let waiting = waitForBaseline(observation, status: status) { return waiting }
        let routes = enforce(analysisRoutes(canary, status), observation)
        if let paused = paused(observation, routes: routes) { return paused }
        if let frozen = frozenInFlight(observation, status: status, routes: routes) { return frozen }
        if canary.skipsAnalysis { return promoteWithoutAnalysis(observation, status: status) }
        if pausedInconclusive(canary, status) || frozen(canary, status) { return Decision(actions: routes, status: status) }
        let weight = status.canaryWeight ?? 0
        let wait = remainingWait(observation)
        guard wait == .zero else { return Decision(actions: routes, status: status, requeueAfter: wait) }
        var actions = routes
        switch hooks(.rollback, phase: status.phase ?? .progressing, observation) {
        case .pending(let check): return .needs(check, status: status)
        case .passed(let events), .failed(_, let events): actions += events
        }
        if rollbackRequested(observation) {
            return rollback(
                observation, status: status, first: actions + [.event(.warning, "Rolling back \(canary.dottedName) manual webhook invoked")])
        }
        if (status.failedChecks ?? 0) >= canary.threshold { return rollback(observation, status: status, first: actions) }
        if weight == 0 && (status.iterations ?? 0) == 0 && status.currentStep == nil {
            actions.append(.event(.normal, "Starting canary analysis for \(canary.dottedName)"))
            switch hooks(.preRollout, phase: .progressing, observation) {
            case .pending(let check): return .needs(check, status: status)
            case .failed(_, let events): return failedCheck(observation, status: status, actions: actions + events)
            case .passed(let events): actions += events
            }
            return advance(observation, status: status, first: actions)
        }
        switch hooks(.rollout, phase: .progressing, observation) {
        case .pending(let check): return .needs(check, status: status)
        case .failed(_, let events): return failedCheck(observation, status: status, actions: actions + events)
        case .passed(let events): actions += events
        }
        // A script's steps at weight 0 (a pre-warm, a pause before the first weight) send the canary no traffic
        // unless a header or mirror route does: there is nothing to measure yet, so its metrics wait (webhooks
        // still run).
        if weight == 0, script(canary) != nil, !analysisRoutes(canary, status).requestRouted {
            return passedStep(observation, status: status, actions: actions)
        }
        guard let checks = observation.checks else { return .needs(.metrics, status: status) }
        if !checks.passed { return failedCheck(observation, status: status, actions: actions + checks.failures.map { .event(.warning, $0) }) }
        if !checks.held.isEmpty {
            // noData: hold — neither a step nor a failed check; the metric is asked again next interval.
            return Decision(
                actions: actions + checks.held.map { .event(.warning, $0) },
                status: status.transitioned(to: status.phase ?? .progressing, now: observation.now),
                requeueAfter: canary.analysisInterval(minimum: observation.minimumInterval))
        }
        if let reason = checks.inconclusive { return inconclusiveStep(observation, status: status, actions: actions, reason: reason) }
        return passedStep(observation, status: status, actions: actions)
    }

    /// One more failed check; at the threshold, the rollback.
    static func failedCheck(_ observation: Observation, status: CanaryStatus, actions: [CanaryAction]) -> Decision {
        var failed = status.transitioned(to: status.phase ?? .progressing, now: observation.now)
        failed.failedChecks = (status.failedChecks ?? 0) + 1
        (failed.inconclusiveSteps, failed.consecutiveSuccesses) = (nil, nil)
        if (failed.failedChecks ?? 0) >= observation.canary.threshold {
            if observation.canary.spec.analysis?.freezesOnFailure == true { return freeze(observation, status: failed, actions: actions) }
            // Serin rolls back on the check that reaches the threshold (Flagger waits one more interval).
            return rollback(observation, status: failed, first: actions)
        }
        return Decision(actions: actions, status: failed, requeueAfter: observation.canary.analysisInterval(minimum: observation.minimumInterval))
    }

    /// Moves traffic one step once the traffic gate allows it, or starts the promotion at the maximum weight
    /// once the promotion gate allows it.
    static func advance(_ observation: Observation, status: CanaryStatus, first: [CanaryAction]) -> Decision {
        let canary = observation.canary
        guard canary.strategy == .canary else { return iterate(observation, status: status, first: first) }
        if let steps = script(canary) { return advanceScript(observation, status: status, first: first, steps: steps) }
        let weight = status.canaryWeight ?? 0
        let interval = canary.analysisInterval(minimum: observation.minimumInterval)
        var first = first
        // Flagger asks the traffic gate for every step but the one out of mirroring.
        if status.phase != .waitingPromotion, !mirrorStep(canary, status) {
            switch hooks(.confirmTrafficIncrease, phase: .progressing, observation) {
            case .pending(let check): return .needs(check, status: status)
            case .failed(_, let events):
                return Decision(actions: first + events, status: status.transitioned(to: .progressing, now: observation.now), requeueAfter: interval)
            case .passed(let events): first += events
            }
        }
        if weight == 0, canary.spec.analysis?.mirror == true, (status.iterations ?? 0) == 0 {
            var mirroring = status.transitioned(to: .progressing, now: observation.now)
            mirroring.iterations = 1
            let actions =
                first.filter { if case .setRoutes = $0 { return false } else { return true } }
                + [.setRoutes(analysisRoutes(canary, mirroring)), .event(.normal, "Advance \(canary.dottedName) canary weight 0")]
            return Decision(actions: actions, status: mirroring, requeueAfter: interval)
        }
        if weight < canary.maxWeight {
            let next = canary.nextWeight(after: weight)
            var advanced = status.transitioned(to: .progressing, now: observation.now)
            advanced.canaryWeight = next
            let actions =
                first.filter { if case .setRoutes = $0 { return false } else { return true } }
                + [.setRoutes(weighted(canary, next, phase: .progressing)), .event(.normal, "Advance \(canary.dottedName) canary weight \(next)")]
            return Decision(actions: actions, status: advanced, requeueAfter: interval)
        }
        return promotion(observation, status: status, first: first)
    }

    /// At the end of the steps: the promotion, once the `confirm-promotion` gate allows it (else
    /// `WaitingPromotion`, the analysis going on every interval).
    static func promotion(_ observation: Observation, status: CanaryStatus, first: [CanaryAction]) -> Decision {
        let canary = observation.canary
        let weight = status.canaryWeight ?? 0
        let interval = canary.analysisInterval(minimum: observation.minimumInterval)
        var first = first
        switch hooks(.confirmPromotion, phase: .progressing, observation) {
        case .pending(let check): return .needs(check, status: status)
        case .failed(_, let events):
            // The analysis goes on every interval while the promotion waits for approval.
            return Decision(actions: first + events, status: status.transitioned(to: .waitingPromotion, now: observation.now), requeueAfter: interval)
        case .passed(let events): first += events
        }
        var promoting = status.transitioned(to: .promoting, now: observation.now)
        promoting.canaryWeight = weight
        let copy = promotionMessage(canary)
        return Decision(actions: first + [.event(.normal, copy), .promote], status: promoting, requeueAfter: .seconds(5))
    }

    /// `skipAnalysis`: promote as soon as the canary is ready.
    static func promoteWithoutAnalysis(_ observation: Observation, status: CanaryStatus) -> Decision {
        let canary = observation.canary
        var succeeded = status.transitioned(to: .succeeded, now: observation.now)
        succeeded.canaryWeight = 0
        succeeded.lastPromotedSpec = status.lastAppliedSpec
        let actions: [CanaryAction] =
            enforce(.allPrimary, observation) + [
                .event(.normal, promotionMessage(canary)),
                .promote, .scaleTargetToZero,
                .event(.normal, "Promotion completed! Canary analysis was skipped for \(canary.dottedName)"),
            ] + postRollout(canary, phase: .succeeded)
        return Decision(actions: actions, status: succeeded)
    }
}
