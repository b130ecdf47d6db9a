import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// Progressing: one analysis step every interval, moving traffic while the checks pass.
    static func progress(_ observation: Observation) -> Decision {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        let interval = canary.analysisInterval(minimum: observation.minimumInterval)
        guard let target = observation.target else { return Decision(status: status) }
        if target.templateHash != status.lastAppliedSpec {
            let restarted = status.restarted(revision: target.templateHash).transitioned(to: .progressing, now: observation.now)
            return Decision(actions: enforce(.allPrimary, observation) + [.event(.normal, "New revision detected! Restarting analysis for \(canary.dottedName)")],
                            status: restarted, requeueAfter: interval)
        }
        switch target.readiness {
        case .failed(let reason):
            return rollback(observation, status: status, first: [.event(.warning, "canary deployment \(canary.dottedName) not ready: \(reason)")])
        case .waiting(let reason):
            return Decision(actions: [.event(.warning, "canary deployment \(canary.dottedName) not ready: \(reason)")], status: status,
                            requeueAfter: .seconds(5))
        case .ready: break
        }
        if canary.skipsAnalysis { return promoteWithoutAnalysis(observation, status: status) }
        let weight = status.canaryWeight ?? 0
        let routes = enforce(Routes(primary: 100 - weight, canary: weight), observation)
        let wait = remainingWait(observation)
        guard wait == .zero else { return Decision(actions: routes, status: status, requeueAfter: wait) }
        if (status.failedChecks ?? 0) >= canary.threshold { return rollback(observation, status: status, first: routes) }
        if weight == 0 && (status.iterations ?? 0) == 0 {
            return advance(observation, status: status, first: routes + [.event(.normal, "Starting canary analysis for \(canary.dottedName)")])
        }
        guard let checks = observation.checks else { return Decision(actions: routes, status: status, requeueAfter: .seconds(1)) }
        if !checks.passed {
            var failed = status.transitioned(to: .progressing, now: observation.now)
            failed.failedChecks = (status.failedChecks ?? 0) + 1
            let halts = checks.failures.map { CanaryAction.event(.warning, $0) }
            if (failed.failedChecks ?? 0) >= canary.threshold {
                // Serin rolls back on the check that reaches the threshold (Flagger waits one more interval).
                return rollback(observation, status: failed, first: routes + halts)
            }
            return Decision(actions: routes + halts, status: failed, requeueAfter: interval)
        }
        return advance(observation, status: status, first: routes)
    }

    /// Moves traffic one step, or starts the promotion at the maximum weight.
    static func advance(_ observation: Observation, status: CanaryStatus, first: [CanaryAction]) -> Decision {
        let canary = observation.canary
        let weight = status.canaryWeight ?? 0
        let interval = canary.analysisInterval(minimum: observation.minimumInterval)
        if weight < canary.maxWeight {
            let next = canary.nextWeight(after: weight)
            var advanced = status.transitioned(to: .progressing, now: observation.now)
            advanced.canaryWeight = next
            let actions = first.filter { if case .setRoutes = $0 { return false } else { return true } }
                + [.setRoutes(Routes(primary: 100 - next, canary: next)), .event(.normal, "Advance \(canary.dottedName) canary weight \(next)")]
            return Decision(actions: actions, status: advanced, requeueAfter: interval)
        }
        var promoting = status.transitioned(to: .promoting, now: observation.now)
        promoting.canaryWeight = weight
        let copy = "Copying \(canary.dottedName) template spec to \(canary.primaryName).\(canary.namespace)"
        return Decision(actions: first + [.event(.normal, copy), .promote], status: promoting, requeueAfter: .seconds(5))
    }

    /// `skipAnalysis`: promote as soon as the canary is ready.
    static func promoteWithoutAnalysis(_ observation: Observation, status: CanaryStatus) -> Decision {
        let canary = observation.canary
        var succeeded = status.transitioned(to: .succeeded, now: observation.now)
        succeeded.canaryWeight = 0
        succeeded.lastPromotedSpec = status.lastAppliedSpec
        let actions: [CanaryAction] = enforce(.allPrimary, observation) + [
            .event(.normal, "Copying \(canary.dottedName) template spec to \(canary.primaryName).\(canary.namespace)"),
            .promote, .scaleTargetToZero,
            .event(.normal, "Promotion completed! Canary analysis was skipped for \(canary.dottedName)"),
        ]
        return Decision(actions: actions, status: succeeded)
    }
}
