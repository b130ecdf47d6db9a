import CanaryAPI
import Foundation

extension CanaryStateMachine {
    /// Whether inconclusive steps have paused the analysis (`analysis.inconclusiveLimit` in a row): only
    /// `kubectl serin promote`, `abort` or `retry` (or a new revision) moves it on.
    static func pausedInconclusive(_ canary: Canary, _ status: CanaryStatus) -> Bool {
        (status.inconclusiveSteps ?? 0) >= (canary.spec.analysis?.inconclusiveSteps ?? 3)
    }

    /// A step whose compared metrics could not tell (Argo's `Inconclusive`): neither an advance nor a failed check;
    /// at `inconclusiveLimit` steps in a row the analysis pauses, with a Warning and an alert.
    static func inconclusiveStep(_ observation: Observation, status: CanaryStatus, actions: [CanaryAction], reason: String) -> Decision {
        let canary = observation.canary
        var waiting = status.transitioned(to: status.phase ?? .progressing, now: observation.now)
        let count = (status.inconclusiveSteps ?? 0) + 1
        let limit = canary.spec.analysis?.inconclusiveSteps ?? 3
        waiting.inconclusiveSteps = count
        waiting.consecutiveSuccesses = nil
        var events: [CanaryAction] = [.event(.warning, "Halt \(canary.dottedName) advancement: inconclusive step \(count)/\(limit): \(reason)")]
        if count >= limit {
            events.append(.event(.warning, inconclusivePause(canary, steps: count)))
        }
        return Decision(actions: actions + events, status: waiting, requeueAfter: canary.analysisInterval(minimum: observation.minimumInterval))
    }

    /// Whether failed checks have frozen the analysis (`analysis.onFailure: freeze` at `threshold`): the weights
    /// hold, and only `kubectl serin promote`, `abort` or `retry` (or a new revision) moves it on.
    static func frozen(_ canary: Canary, _ status: CanaryStatus) -> Bool {
        canary.spec.analysis?.freezesOnFailure == true && (status.failedChecks ?? 0) >= canary.threshold
    }

    /// The check that reaches the threshold under `onFailure: freeze`: the traffic stays where it is, with a
    /// Warning (and an alert) saying how to go on.
    static func freeze(_ observation: Observation, status: CanaryStatus, actions: [CanaryAction]) -> Decision {
        let message = frozenMessage(observation.canary, failedChecks: status.failedChecks ?? 0, weight: status.canaryWeight ?? 0)
        return Decision(actions: actions + [.event(.warning, message)], status: status)
    }

    /// The Warning (and alert) of an analysis frozen by failed checks.
    public static func frozenMessage(_ canary: Canary, failedChecks: Int, weight: Int) -> String {
        "Halt \(canary.dottedName) advancement: failed checks threshold reached \(failedChecks), frozen at canary weight \(weight) "
            + "(analysis.onFailure: freeze), waiting for kubectl serin promote, abort or retry"
    }

    /// The Warning (and alert) of an analysis paused by inconclusive steps.
    public static func inconclusivePause(_ canary: Canary, steps: Int) -> String {
        "Halt \(canary.dottedName) advancement: the analysis is inconclusive after \(steps) steps in a row, waiting for kubectl serin promote, abort or retry"
    }

    /// A passed step: at the first weight, it counts toward `consecutiveSuccessLimit` before the weight first
    /// increases; otherwise the traffic moves on (``advance(_:status:first:)``).
    static func passedStep(_ observation: Observation, status: CanaryStatus, actions: [CanaryAction]) -> Decision {
        let canary = observation.canary
        var passed = status
        passed.inconclusiveSteps = nil
        let limit = canary.spec.analysis?.successesBeforeFirstStep ?? 1
        let first = canary.nextWeight(after: 0)
        guard canary.strategy == .canary, limit > 1, (status.canaryWeight ?? 0) == first, status.phase != .waitingPromotion else {
            passed.consecutiveSuccesses = nil
            return advance(observation, status: passed, first: actions)
        }
        let successes = (status.consecutiveSuccesses ?? 0) + 1
        guard successes >= limit else {
            passed.consecutiveSuccesses = successes
            return Decision(
                actions: actions + [.event(.normal, "Hold \(canary.dottedName) canary weight \(first): \(successes)/\(limit) passed steps in a row")],
                status: passed.transitioned(to: .progressing, now: observation.now),
                requeueAfter: canary.analysisInterval(minimum: observation.minimumInterval))
        }
        passed.consecutiveSuccesses = nil
        return advance(observation, status: passed, first: actions)
    }
}
