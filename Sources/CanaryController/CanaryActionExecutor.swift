import Alerting
import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Routers
import Targets
import Webhooks

/// What the actions of one step share.
struct StepActions {
    var canary: Canary
    var parts: CanaryParts
    /// The Canary with the status the step leads to: what routes are rendered from (session-affinity
    /// cookies are decided with the step).
    var routing: Canary?
    var phase: CanaryPhase
    /// For a step that changes the status: the key its Events are named by (``CanaryActionExecutor/transitionKey(of:)``).
    var transition: String?
    /// How many Events the step has written so far.
    var events = 0
}

/// Carries out what a reconcile decided: the objects a Canary owns, routes, scaling, promotion, the
/// baseline, webhooks, the finalizer, and each step's Events (with their copies to the event webhooks and alerts).
struct CanaryActionExecutor: Sendable {
    let canaries: ObjectCache<DynamicObject>
    let canaryObjects: ResourceClient<DynamicObject>
    let autoscaler: AutoscalerTarget
    let services: KubernetesServiceRouter
    let hooks: WebhookRunner
    let events: EventRecorder
    let eventHooks: EventWebhooks
    let alerts: OperatorAlerts
    let clock: OperatorClock
    /// Rollout budgets (`--rollout-policies`), `nil` when not followed.
    let slots: RolloutSlotWriter?

    /// Carries out one action of a decision.
    func execute(_ action: CanaryAction, in step: inout StepActions) async throws {
        let canary = step.canary
        let workload = step.parts.target
        switch action {
        case .setRoutes(let routes):
            try await acting("set the \(step.parts.provider) routes to \(routes)") {
                try await step.parts.router.setRoutes(step.routing ?? canary, routes)
            }
        case .scaleTargetToZero:
            try await acting("pause the target's autoscaler") { try await autoscaler.pauseTarget(canary, true) }
            try await acting("scale \(canary.targetName) to zero") { try await workload.scaleTarget(canary, replicas: 0) }
        case .scaleTargetUp:
            try await acting("resume the target's autoscaler") { try await autoscaler.pauseTarget(canary, false) }
            let replicas = workload.scaleUpReplicas(canary)
            try await acting("scale \(canary.targetName) to \(replicas)") { try await workload.scaleTarget(canary, replicas: replicas) }
        case .scaleTarget(let replicas):
            try await acting("scale \(canary.targetName) to \(replicas)") { try await workload.scaleTarget(canary, replicas: replicas) }
        case .promote:
            try await acting("promote \(canary.targetName) to \(canary.primaryName)") {
                guard let target = workload.target(of: canary) else { throw TargetError("target \(canary.dottedName) not found") }
                try await workload.promote(
                    canary, target: target, copyReplicas: canary.spec.autoscalerRef == nil, owner: CanaryActionExecutor.owner(canary))
            }
            if canary.spec.autoscalerRef != nil {
                try await acting("update the primary autoscaler") {
                    try await autoscaler.reconcile(canary, owner: CanaryActionExecutor.owner(canary), promoting: true)
                }
            }
        case .restorePrevious:
            try await acting("restore the previous version of \(canary.primaryName)") {
                try await workload.restorePrevious(canary, owner: CanaryActionExecutor.owner(canary))
            }
        case .applyBaseline: try await applyBaseline(canary, workload: workload)
        case .deleteBaseline: try await deleteBaseline(canary, workload: workload)
        case .applyPrevious: try await applyPrevious(canary, workload: workload)
        case .deletePrevious: try await deletePrevious(canary, workload: workload)
        case .event(let severity, let message):
            // Redacted once here, so the Event, the event webhooks and the alert all carry the same safe text.
            let safe = Redaction.scrub(message)
            try await record(severity, safe, action: .event(severity, safe), in: &step)
        case .runHooks(let type, let hookPhase):
            for result in await hooks.run(type, canary: canary, phase: hookPhase) {
                for event in CanaryStateMachine.hookEvents(type, result, canary: canary) { try await execute(event, in: &step) }
            }
        case .acquireSlot:
            try await acting("ask for a rollout slot") { try await slots?.acquire(canary) }
        case .releaseSlot:
            let stops = try await acting("give the rollout slot back") { try await slots?.release(canary) } ?? []
            for stop in stops { try await execute(.event(.warning, stop), in: &step) }
        case .removeFinalizer:
            try await acting("resume the target's autoscaler") { try await autoscaler.pauseTarget(canary, false) }
            try await acting("restore the Services") { try await services.finalize(canary) }
            try await acting("hand the \(step.parts.provider) routing back") { try await step.parts.router.finalize(canary) }
            if let object = canaries.get(namespace: canary.namespace, name: canary.metadata.name ?? "") {
                _ = try await acting("remove the finalizer") {
                    try await Finalizers.remove(CanaryStateMachine.finalizer, from: object, in: canaryObjects)
                }
            }
        }
    }

    /// A step's Event: written now and once when the step changes the status (before the status that
    /// records the step), else queued and aggregated. The event webhook gets each Event once.
    private func record(_ severity: EventSeverity, _ message: String, action: CanaryAction, in step: inout StepActions) async throws {
        let type: EventRecorder.EventType = severity == .warning ? .warning : .normal
        let reference = EventObjectReference(
            apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, namespace: step.canary.namespace,
            name: step.canary.metadata.name ?? "", uid: step.canary.metadata.uid)
        guard let transition = step.transition else {
            events.record(reference, type: type, reason: "Synced", message: message)
            announce(action, step)
            return
        }
        let key = transition + String(format: "%02x", min(step.events, 255))
        step.events += 1
        // A transient failure throws (the step is taken again later, writing nothing twice); an Event the
        // API server refuses for good is logged by the recorder and does not hold the rollout.
        if try await events.recordOnce(reference, type: type, reason: "Synced", message: message, key: key) != .existed {
            announce(action, step)
        }
    }

    /// An Event's copies beyond the API: the event webhooks, and the alert Flagger sends for it.
    private func announce(_ action: CanaryAction, _ step: StepActions) {
        eventHooks.post(action, canary: step.canary, phase: step.phase, now: clock.date)
        alerts.post(action, canary: step.canary)
    }

    /// What names a status transition's Events: the time of the status it starts from (so that names sort
    /// in the order of the steps) and a hash of that status and the Canary's uid. A step decided again
    /// from the same status gets the same key.
    static func transitionKey(of canary: Canary) -> String {
        let status = canary.status ?? CanaryStatus()
        let since = status.lastTransitionTime.flatMap { KubeTime(rfc3339: $0)?.date }?.timeIntervalSince1970 ?? 0
        var fingerprint: JSONValue = [
            "uid": .string(canary.metadata.uid ?? ""), "phase": .string(status.phase?.rawValue ?? ""),
            "weight": .int(status.canaryWeight ?? 0), "failed": .int(status.failedChecks ?? 0), "iterations": .int(status.iterations ?? 0),
            "applied": .string(status.lastAppliedSpec ?? ""), "since": .string(status.lastTransitionTime ?? ""),
        ]
        // Two requests refused from the same step differ only here: each gets its own Event.
        fingerprint["request"] = status.lastHandledRequest.map(JSONValue.string)
        return String(format: "%016llx", UInt64(saturating: since * 1_000_000_000)) + fingerprint.stableHash.prefix(8)
    }
}
