import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// Promoting: the primary rolls out the new template; then all traffic goes back to it.
    static func promoting(_ observation: Observation) -> Decision {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        let weight = status.canaryWeight ?? 0
        let routes = enforce(analysisRoutes(canary, status), observation)
        guard let primary = observation.primary else { return Decision(actions: routes, status: status, requeueAfter: .seconds(5)) }
        if primary.templateHash != status.lastAppliedSpec {
            return Decision(actions: routes + [.promote], status: status, requeueAfter: .seconds(5))  // the copy did not land yet
        }
        switch primary.readiness {
        case .failed(let reason): return failedPromotion(observation, status: status, reason: reason)
        case .waiting: return Decision(actions: routes, status: status, requeueAfter: .seconds(5))
        case .ready: break
        }
        let step = canary.spec.analysis?.stepWeightPromotion ?? 0
        if step > 0 && weight > 0 {
            guard isDue(observation) else { return Decision(actions: routes, status: status, requeueAfter: remainingWait(observation)) }
            let next = max(weight - step, 0)
            var shifted = status.transitioned(to: next == 0 ? .finalising : .promoting, now: observation.now)
            shifted.canaryWeight = next
            return Decision(
                actions: [
                    .setRoutes(Routes(primary: 100 - next, canary: next)),
                    .event(.normal, "Advance \(canary.dottedName) primary weight \(100 - next)"),
                ],
                status: shifted, requeueAfter: next == 0 ? .zero : canary.analysisInterval(minimum: observation.minimumInterval))
        }
        var finalising = status.transitioned(to: .finalising, now: observation.now)
        finalising.canaryWeight = 0
        guard observation.splitsTraffic else { return Decision(status: finalising, requeueAfter: .zero) }  // the apex never left the primary
        return Decision(
            actions: [.event(.normal, "Routing all traffic to primary"), .setRoutes(.allPrimary)], status: finalising,
            requeueAfter: .zero)
    }

    /// Finalising: the canary is no longer needed. With `analysis.bake` the bake starts (or goes on) here.
    static func finalise(_ observation: Observation) -> Decision {
        let status = observation.canary.status ?? CanaryStatus()
        if status.bakeStarted != nil { return bake(observation) }
        if let baking = startBake(observation, status: status) { return baking }
        return finished(observation, status: status, events: [])
    }
}
