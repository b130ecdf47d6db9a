import CanaryAPI
import Foundation
import KubeCore

/// The bake (`analysis.bake`): after the promotion, the new primary is analysed at full traffic for the bake's
/// duration, in Flagger's `Finalising` phase with `status.bakeStarted` set and a `Baking` condition. Its end is
/// the rollout's `Succeeded`; `threshold` failed checks give the primary back the last good version (phase
/// `Failed`) — at once through `<target>-previous` with `keepPrevious`, else by a rolling update of the primary.
extension CanaryStateMachine {
    /// The promotion is done (all traffic on the new primary): the bake starts, the canary is scaled down. A
    /// primary that records no earlier version has nothing to go back to: the bake is skipped, saying so.
    static func startBake(_ observation: Observation, status: CanaryStatus) -> Decision? {
        let canary = observation.canary
        guard canary.bakes, let duration = canary.bakeDuration, let primary = observation.primary else { return nil }
        guard primary.previous != nil, primary.previousBlocked == nil else {
            let why = primary.previousBlocked ?? "\(canary.primaryName) records no earlier version"
            return finished(
                observation, status: status, events: [.event(.warning, "The bake of \(canary.dottedName) is skipped: \(why) to go back to")])
        }
        var baking = status.transitioned(to: .finalising, now: observation.now)
        (baking.canaryWeight, baking.iterations, baking.failedChecks) = (0, 0, 0)
        baking.lastPromotedSpec = status.lastAppliedSpec
        baking.bakeStarted = KubeTime(observation.now, precision: .microseconds).description
        let interval = bakeInterval(canary, minimum: observation.minimumInterval)
        let until = observation.now.addingTimeInterval(duration.seconds)
        baking = baking.baking(.running, message: bakingMessage(canary, until: until, failedChecks: 0), now: observation.now)
        let message =
            "Promotion of \(canary.dottedName) finished, baking: \(canary.primaryName) runs revision \(status.lastAppliedSpec ?? "") "
            + "at full traffic for \(GoDuration(duration)), checked every \(GoDuration(interval))"
        return Decision(
            actions: enforce(.allPrimary, observation) + [.scaleTargetToZero, .event(.normal, message)], status: baking, requeueAfter: interval)
    }

    /// One look at a bake under way: a check every bake interval, the end at the bake's duration.
    static func bake(_ observation: Observation) -> Decision {
        let canary = observation.canary
        let status = canary.status ?? CanaryStatus()
        guard let target = observation.target else { return Decision(status: status) }
        if (observation.routes?.previous ?? 0) > 0 { return bakeRollback(observation, status: status, first: []) }  // in flight at a crash
        if target.templateHash != status.lastAppliedSpec { return bakeSuperseded(observation, status: status) }
        let routes = enforce(.allPrimary, observation)
        if let paused = paused(observation, routes: routes) { return paused }
        if case .failed(let reason) = observation.primary?.readiness {
            return bakeRollback(
                observation, status: status, first: [.event(.warning, "\(canary.primaryName).\(canary.namespace) not ready: \(reason)")])
        }
        if (status.failedChecks ?? 0) >= canary.threshold { return bakeRollback(observation, status: status, first: routes) }
        let end = bakeEnd(canary, status)
        let left = end.timeIntervalSince(observation.now)
        if left <= 0 {
            return finished(
                observation, status: status,
                events: [
                    .event(
                        .normal,
                        "Bake of \(canary.dottedName) passed: \(canary.primaryName) ran revision \(status.lastAppliedSpec ?? "") at full traffic for \(GoDuration(canary.bakeDuration ?? .zero))"
                    )
                ])
        }
        let wait = remainingWait(observation, interval: bakeInterval(canary, minimum: observation.minimumInterval))
        guard wait == .zero else {
            return Decision(actions: routes, status: status, requeueAfter: min(wait, .milliseconds(Int64(saturating: (left * 1000).rounded(.up)))))
        }
        guard let checks = observation.checks else { return .needs(.metrics, status: status) }
        return bakeStep(observation, status: status, checks: checks, actions: routes)
    }

    /// A bake step's checks: a failure counts toward `threshold` (the rollback at it); a pass or a hold waits
    /// for the next interval.
    private static func bakeStep(_ observation: Observation, status: CanaryStatus, checks: CheckResults, actions: [CanaryAction]) -> Decision {
        let canary = observation.canary
        var next = status.transitioned(to: .finalising, now: observation.now)
        var actions = actions
        if !checks.passed {
            next.failedChecks = (status.failedChecks ?? 0) + 1
            actions += checks.failures.map { .event(.warning, $0) }
            if (next.failedChecks ?? 0) >= canary.threshold { return bakeRollback(observation, status: next, first: actions) }
        } else {
            actions += checks.held.map { .event(.warning, $0) }
        }
        next = next.baking(
            .running, message: bakingMessage(canary, until: bakeEnd(canary, status), failedChecks: next.failedChecks ?? 0), now: observation.now)
        let interval = bakeInterval(canary, minimum: observation.minimumInterval)
        let left = max(bakeEnd(canary, status).timeIntervalSince(observation.now), 0)
        return Decision(actions: actions, status: next, requeueAfter: min(interval, .milliseconds(Int64(saturating: (left * 1000).rounded(.up)))))
    }

    /// The bake failed (or was aborted): the primary goes back to the revision it ran before. With a ready
    /// `<target>-previous` all traffic moves to it first, in one route change; the primary's own rollback
    /// follows, and traffic returns to it once it runs the previous version again
    /// (``restoringFromPrevious(_:)``).
    static func bakeRollback(_ observation: Observation, status: CanaryStatus, first: [CanaryAction]) -> Decision {
        let canary = observation.canary
        var actions = first.filter { if case .setRoutes = $0 { return false } else { return true } }
        if (status.failedChecks ?? 0) >= canary.threshold {
            actions.append(.event(.warning, "Rolling back \(canary.dottedName) failed checks threshold reached \(status.failedChecks ?? 0)"))
        }
        let primary = observation.primary
        // After a crash the primary may already run the previous revision (its record gone with the restore).
        let previous = primary?.previous ?? primary.flatMap { $0.templateHash != status.lastAppliedSpec ? $0.templateHash : nil }
        let revision = previous ?? status.lastPromotedSpec ?? ""
        let instant = observation.previous.workload?.readiness == .ready && observation.previous.service
        if instant {
            actions.append(.setRoutes(.allPrevious))
            actions.append(
                .event(
                    .warning,
                    "Bake of \(canary.dottedName) failed: all traffic moved to \(canary.previousName) (revision \(revision)), \(canary.primaryName) goes back to it"
                ))
        } else {
            actions.append(.event(.warning, "Bake of \(canary.dottedName) failed: \(canary.primaryName) goes back to revision \(revision)"))
        }
        if primary?.previous != nil { actions.append(.restorePrevious) }
        var failed = status.transitioned(to: .failed, now: observation.now)
        (failed.canaryWeight, failed.iterations, failed.bakeStarted) = (0, 0, nil)
        failed.lastPromotedSpec = previous ?? status.lastPromotedSpec
        failed = failed.baking(.rolledBack, message: "the bake failed: \(canary.primaryName) goes back to revision \(revision)", now: observation.now)
        return Decision(actions: actions + postRollout(canary, phase: .failed), status: failed)
    }

    /// A new revision during the bake: the bake ends (the primary keeps what it runs) and the new revision's
    /// rollout starts as after any `Succeeded`.
    private static func bakeSuperseded(_ observation: Observation, status: CanaryStatus) -> Decision {
        let canary = observation.canary
        var ended = status.transitioned(to: .succeeded, now: observation.now)
        ended.bakeStarted = nil
        ended = ended.baking(.superseded, message: "a new revision was detected during the bake", now: observation.now)
        var next = observation
        next.canary.status = ended
        var decision = watchForRevision(next)
        guard decision.pending == nil else { return decision }
        let message =
            "New revision detected during the bake of \(canary.dottedName): the bake ends, \(canary.primaryName) keeps revision \(status.lastAppliedSpec ?? "")"
        decision.actions.insert(.event(.normal, message), at: 0)
        return decision
    }

    /// The end of a rollout that needed no more (or passed its bake): `Succeeded`, the canary scaled down,
    /// the post-rollout webhooks.
    static func finished(_ observation: Observation, status: CanaryStatus, events: [CanaryAction]) -> Decision {
        let canary = observation.canary
        var succeeded = status.transitioned(to: .succeeded, now: observation.now)
        (succeeded.canaryWeight, succeeded.iterations) = (0, 0)
        succeeded.lastPromotedSpec = status.lastAppliedSpec
        if status.bakeStarted != nil {
            succeeded.bakeStarted = nil
            succeeded = succeeded.baking(.passed, message: "the bake passed", now: observation.now)
        }
        let actions =
            enforce(.allPrimary, observation) + [.scaleTargetToZero] + events
            + [.event(.normal, "Promotion completed! Scaling down \(canary.dottedName)")] + postRollout(canary, phase: .succeeded)
        return Decision(actions: actions, status: succeeded)
    }

    /// How often the bake checks: `bake.interval`, else the analysis interval, at least `minimum`.
    public static func bakeInterval(_ canary: Canary, minimum: Duration) -> Duration {
        guard let text = canary.spec.analysis?.bake?.interval, let parsed = try? GoDuration(parsing: text).duration else {
            return canary.analysisInterval(minimum: minimum)
        }
        return max(parsed, minimum)
    }

    /// When the bake of `status` ends.
    public static func bakeEnd(_ canary: Canary, _ status: CanaryStatus) -> Date {
        let started = status.bakeStarted.flatMap { KubeTime(rfc3339: $0)?.date } ?? .distantPast
        return started.addingTimeInterval((canary.bakeDuration ?? .zero).seconds)
    }

    private static func bakingMessage(_ canary: Canary, until: Date, failedChecks: Int) -> String {
        "\(canary.primaryName) is analysed at full traffic until \(KubeTime(until).description): \(failedChecks)/\(canary.threshold) failed checks"
    }
}
