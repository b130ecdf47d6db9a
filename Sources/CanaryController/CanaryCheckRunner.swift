import Analysis
import CanaryAPI
import CanaryCore
import KubeCore
import Foundation
import Logging
import MetricProviders
import OTLPTracing
import Routers
import Webhooks

/// A decision that kept asking for checks: a bug in the state machine, never a user error.
struct UndecidedError: Error, CustomStringConvertible {
    var pending: Check
    var description: String { "failed to decide: still waiting for \(pending) after every check ran" }
}

/// Runs the checks a decision asks for: the webhooks of a step and the metric analysis, deciding again with
/// each outcome. The only part of a reconcile that waits on the network outside the API server.
struct CanaryCheckRunner: Sendable {
    let analysis: MetricAnalysis
    let hooks: WebhookRunner
    let metrics: OperatorMetrics
    let clock: OperatorClock

    /// The most checks one decision can ask for (rollback, pre-rollout or rollout hooks, metrics, the two
    /// gates), with room to spare.
    static let maximumChecks = 8

    /// The metric templates and providers a Canary names that cannot be used, checked before a rollout starts.
    /// Throws them as an ``InvalidCanary`` (`InvalidReference`); during a rollout they fail the check as in Flagger.
    /// Returns what is allowed but unsafe (TLS verification turned off by a template or a webhook), for Warning events.
    func checkReferences(_ canary: Canary, queries: BuiltinQueries) throws(InvalidCanary) -> [String] {
        guard !CanaryStateMachine.isAnalysing(canary.status?.phase) else { return [] }
        let issues = analysis.referenceIssues(canary, queries: queries)
        guard issues.isEmpty else {
            throw InvalidCanary(reason: "InvalidReference", message: issues.map(\.description).joined(separator: "; "))
        }
        return analysis.unverifiedTLS(canary) + WebhookClient.unverifiedTLS(canary)
    }

    /// The metric providers of the Canary's templates that do not answer (Flagger's start-up `IsOnline`).
    func unavailableProviders(_ canary: Canary) async -> [String] { await analysis.unavailableProviders(canary) }

    /// Decides, running each check the state machine asks for (webhooks, metrics) and deciding again with
    /// its outcome, until nothing is pending. Returns the decision and the observation holding the checks'
    /// outcomes (for the journal).
    ///
    /// The clock is read again after each check: a step's time (`lastTransitionTime`, from which the next
    /// interval runs) is when it acted, not when a slow check started, so two steps are never closer than
    /// the interval.
    func decide(
        _ observation: Observation, parts: CanaryParts, logger: Logger,
        trace: StepTrace? = nil
    ) async throws -> (Decision, Observation) {
        var observation = observation
        let started = clock.date
        var decision = CanaryStateMachine.decide(observation)
        var rounds = 0
        while let check = decision.pending {
            guard rounds < CanaryCheckRunner.maximumChecks else { throw UndecidedError(pending: check) }
            rounds += 1
            switch check {
            case .hooks(let type, let phase):
                let canary = observation.canary
                let results = try await measured(trace, "webhooks \(type.rawValue)") { await hooks.run(type, canary: canary, phase: phase) }
                logger.debug("webhooks ran", metadata: ["type": "\(type.rawValue)", "passed": "\(results.filter(\.passed).count)/\(results.count)"])
                observation.hooks[type] = results
            case .metrics:
                let canary = observation.canary
                let checks = try await measured(trace, "metrics") { await analysis.run(canary, mesh: parts.provider, queries: parts.router.queries) }
                observation.checks = checks
            }
            observation.now = clock.date
            decision = CanaryStateMachine.decide(observation)
        }
        if let checks = observation.checks {
            metrics.analysis(observation.canary, values: checks.values, duration: .seconds(clock.date.timeIntervalSince(started)))
        }
        return (decision, observation)
    }
}
