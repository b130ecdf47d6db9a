import CanaryAPI
import Foundation
import KubeCore

/// `analysis.steps` (Serin's): the rollout as a script. The analysis's checks run every interval as in any
/// canary analysis; a passed check moves the script on: a `setWeight` or `setCanaryScale` step lasts one interval, a timed pause
/// until its duration has passed since the step started (``CanaryAPI/CanaryStatus/stepStarted``), a pause without
/// one until released. After the last step comes the promotion, behind the `confirm-promotion` gate.
extension CanaryStateMachine {
    /// The Canary's steps; `nil` for a Canary without a script.
    static func script(_ canary: Canary) -> [CanaryStep]? {
        guard let steps = canary.spec.analysis?.steps, !steps.isEmpty else { return nil }
        return steps
    }

    /// After a passed check: the step under way holds, or the next one starts.
    static func advanceScript(_ observation: Observation, status: CanaryStatus, first: [CanaryAction], steps: [CanaryStep]) -> Decision {
        let canary = observation.canary
        let interval = canary.analysisInterval(minimum: observation.minimumInterval)
        var first = first
        if let index = status.currentStep, steps.indices.contains(index), case .pause(let duration) = steps[index].action {
            let holding = Decision(actions: first, status: status.transitioned(to: .progressing, now: observation.now), requeueAfter: interval)
            if let duration {
                if pauseLeft(duration, status: status, now: observation.now) > .zero { return holding }
            } else {
                // Passing confirm-promotion webhooks release it too; without any, only a promote request does.
                guard !canary.webhooks(of: .confirmPromotion).isEmpty else { return holding }
                switch hooks(.confirmPromotion, phase: .progressing, observation) {
                case .pending(let check): return .needs(check, status: status)
                case .failed(_, let events): return Decision(actions: first + events, status: holding.status, requeueAfter: interval)
                case .passed(let events): first += events
                }
            }
        }
        return startStep((status.currentStep ?? -1) + 1, observation, status: status, first: first, steps: steps)
    }

    /// What is left of a timed pause started at ``CanaryAPI/CanaryStatus/stepStarted``.
    static func pauseLeft(_ duration: Duration, status: CanaryStatus, now: Date) -> Duration {
        guard let started = status.stepStarted.flatMap({ KubeTime(rfc3339: $0)?.date }) else { return .zero }
        let left = duration.seconds - now.timeIntervalSince(started)
        return left <= 0 ? .zero : .milliseconds(Int64(saturating: (left * 1000).rounded(.up)))
    }

    /// Starts step `next` (0-based); past the last, the promotion.
    static func startStep(
        _ next: Int, _ observation: Observation, status: CanaryStatus, first: [CanaryAction], steps: [CanaryStep]
    ) -> Decision {
        guard steps.indices.contains(next), let action = steps[next].action else { return promotion(observation, status: status, first: first) }
        let canary = observation.canary
        let interval = canary.analysisInterval(minimum: observation.minimumInterval)
        var first = first
        var stepped = status.transitioned(to: .progressing, now: observation.now)
        (stepped.currentStep, stepped.stepStarted) = (next, KubeTime(observation.now).description)
        let weight = status.canaryWeight ?? 0
        switch action {
        case .setWeight(let target):
            if target > weight {
                switch hooks(.confirmTrafficIncrease, phase: .progressing, observation) {
                case .pending(let check): return .needs(check, status: status)
                case .failed(_, let events):
                    return Decision(
                        actions: first + events, status: status.transitioned(to: .progressing, now: observation.now), requeueAfter: interval)
                case .passed(let events): first += events
                }
            }
            stepped.canaryWeight = target
            var actions =
                withoutRoutes(first) + [
                    .setRoutes(analysisRoutes(canary, stepped)), .event(.normal, "Advance \(canary.dottedName) canary weight \(target)"),
                ]
            if let scale = scaleInForce(before: next, steps: steps), scale.matchTrafficWeight == true {
                actions.append(.scaleTarget(scale.replicas(primary: observation.primary?.replicas ?? 1, trafficWeight: target) ?? 1))
            }
            return Decision(actions: actions, status: stepped, requeueAfter: interval)
        case .setCanaryScale(let scale):
            let replicas = scale.replicas(primary: observation.primary?.replicas ?? 1, trafficWeight: weight) ?? 1
            let text = "Scale \(canary.dottedName) canary to \(replicas) replicas (\(scale.summary)): step \(next + 1) of \(steps.count)"
            return Decision(actions: first + [.scaleTarget(replicas), .event(.normal, text)], status: stepped, requeueAfter: interval)
        case .setHeaderRoute, .setMirrorRoute:
            let text = "\(routeChange(action, canary)): step \(next + 1) of \(steps.count)"
            return Decision(
                actions: withoutRoutes(first) + [.setRoutes(analysisRoutes(canary, stepped)), .event(.normal, text)], status: stepped,
                requeueAfter: interval)
        case .pause(let duration):
            let until =
                duration == nil
                ? "until promoted (kubectl serin promote \(canary.metadata.name ?? "") -n \(canary.namespace))"
                : "for \(steps[next].pause?.duration ?? "")"
            let text = "Pause \(canary.dottedName) at canary weight \(weight) \(until): step \(next + 1) of \(steps.count)"
            return Decision(actions: first + [.event(.normal, text)], status: stepped, requeueAfter: interval)
        }
    }

    /// A header or mirror route step's Event, in words.
    static func routeChange(_ action: CanaryStep.Action, _ canary: Canary) -> String {
        switch action {
        case .setHeaderRoute(let route) where route.match == nil: "Remove header route \(route.name) of \(canary.dottedName)"
        case .setHeaderRoute(let route): "Route \(canary.dottedName) requests with header route \(route.summary) to the canary"
        case .setMirrorRoute(let route) where route.match == nil: "Remove mirror route \(route.name) of \(canary.dottedName)"
        case .setMirrorRoute(let route): "Mirror \(canary.dottedName) requests to the canary by mirror route \(route.summary)"
        default: ""
        }
    }

    /// `actions` without their route changes (the step sets its own).
    static func withoutRoutes(_ actions: [CanaryAction]) -> [CanaryAction] {
        actions.filter { if case .setRoutes = $0 { return false } else { return true } }
    }

    /// The last `setCanaryScale` before step `index`: the canary's size policy in force there.
    static func scaleInForce(before index: Int, steps: [CanaryStep]) -> CanaryScale? {
        steps.prefix(max(0, min(index, steps.count))).last { $0.setCanaryScale != nil }?.setCanaryScale
    }

    /// A promote request during a pause step releases that pause: the next step starts now. `nil` outside one.
    static func releasePause(_ observation: Observation, status: CanaryStatus, by who: String) -> Decision? {
        let canary = observation.canary
        guard let steps = script(canary), let index = status.currentStep, steps.indices.contains(index),
            case .pause = steps[index].action
        else { return nil }
        let released = CanaryAction.event(.normal, "Pause of \(canary.dottedName) released by \(who): step \(index + 1) of \(steps.count)")
        return startStep(index + 1, observation, status: status, first: [released], steps: steps)
    }
}
