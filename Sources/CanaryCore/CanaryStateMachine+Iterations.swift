import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// Where the analysis keeps traffic for the Canary's strategy and status: the weights for a canary
    /// strategy (the baseline's too, ``weighted(_:_:phase:mirrored:)``; with `mirror`, first one step of all traffic on the primary and copied to the canary:
    /// `iterations` counts that step); all on the primary for blue/green until its iterations are done, then all on the canary;
    /// for A/B testing, the matching requests on the canary from the first iteration (the router keeps the
    /// others on the primary). A script's header and mirror routes in force join the canary strategy's weights.
    static func analysisRoutes(_ canary: Canary, _ status: CanaryStatus) -> Routes {
        switch canary.strategy {
        case .canary:
            let weight = status.canaryWeight ?? 0
            var routes = weighted(canary, weight, phase: status.phase, mirrored: mirrorStep(canary, status))
            // A script's routes last while its steps run: the promotion (stepped or not) no longer has them.
            if let steps = script(canary), let index = status.currentStep, [.progressing, .waitingPromotion].contains(status.phase) {
                (routes.headerRoutes, routes.mirrorRoutes) = steps.routes(through: index)
            }
            return routes
        case .blueGreen:
            if (status.iterations ?? 0) > canary.iterations { return Routes(primary: 0, canary: 100) }
            // With `mirror`, the canary gets a copy of the primary's requests from the first iteration.
            return Routes(primary: 100, canary: 0, mirrored: canary.spec.analysis?.mirror == true && (status.iterations ?? 0) > 0)
        case .abTesting: return (status.iterations ?? 0) > 0 ? Routes(primary: 0, canary: 100) : .allPrimary
        }
    }

    /// Canary strategy with `mirror`: whether the analysis is at its mirror step (Flagger's one step of
    /// mirroring before the first weighted one).
    static func mirrorStep(_ canary: Canary, _ status: CanaryStatus) -> Bool {
        canary.spec.analysis?.mirror == true && (status.canaryWeight ?? 0) == 0 && (status.iterations ?? 0) > 0
    }

    /// One passed analysis step of blue/green or A/B testing (Flagger's `runBlueGreen`, `runAB`): count an
    /// iteration; when all are done, the confirm-promotion gate, then (blue/green) all traffic to the
    /// canary for one more interval, then the promotion.
    static func iterate(_ observation: Observation, status: CanaryStatus, first: [CanaryAction]) -> Decision {
        let canary = observation.canary
        let total = canary.iterations
        let done = status.iterations ?? 0
        let interval = canary.analysisInterval(minimum: observation.minimumInterval)
        let actions = first.filter { if case .setRoutes = $0 { return false } else { return true } }
        if done < total {
            var advanced = status.transitioned(to: .progressing, now: observation.now)
            advanced.iterations = done + 1
            return Decision(
                actions: actions + enforce(analysisRoutes(canary, advanced), observation)
                    + [.event(.normal, "Advance \(canary.dottedName) canary iteration \(done + 1)/\(total)")],
                status: advanced, requeueAfter: interval)
        }
        var gated = actions
        if done == total {
            switch hooks(.confirmPromotion, phase: .progressing, observation) {
            case .pending(let check): return .needs(check, status: status)
            case .failed(_, let events):
                return Decision(
                    actions: gated + events, status: status.transitioned(to: .waitingPromotion, now: observation.now),
                    requeueAfter: interval)
            case .passed(let events): gated += events
            }
            if canary.strategy == .blueGreen, observation.splitsTraffic {
                var switched = status.transitioned(to: .progressing, now: observation.now)
                switched.iterations = done + 1
                let text =
                    canary.spec.analysis?.mirror == true ? "Stop traffic mirroring and route all traffic to canary" : "Routing all traffic to canary"
                return Decision(
                    actions: gated + [.event(.normal, text), .setRoutes(Routes(primary: 0, canary: 100))],
                    status: switched, requeueAfter: interval)
            }
        }
        let promoting = status.transitioned(to: .promoting, now: observation.now)
        let copy = promotionMessage(canary)
        return Decision(
            actions: gated + enforce(analysisRoutes(canary, status), observation) + [.event(.normal, copy), .promote],
            status: promoting, requeueAfter: .seconds(5))
    }
}
