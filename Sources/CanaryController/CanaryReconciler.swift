import Routers
import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import KubeRuntime
import Logging
import OTLPTracing

/// Reconciles one Canary: observe (from caches) → run the checks the step needs → decide (pure) → act →
/// record. Each arrow is one collaborator; the reconciler only orders them.
public struct CanaryReconciler: Reconciler {
    /// Reads the Canary, its providers, its target and the observation (writes nothing).
    let observer: CanaryObserver
    /// Runs webhooks and the metric analysis a decision asks for.
    let checks: CanaryCheckRunner
    /// Carries out decisions: owned objects, routes, scaling, promotion, Events.
    let actions: CanaryActionExecutor
    /// Writes statuses and conditions and remembers its writes.
    let status: CanaryStatusRecorder
    let metrics: OperatorMetrics
    let clock: OperatorClock
    /// Each rollout's trace (OTLP), when configured.
    var tracing = RolloutTracing(exporter: nil)

    public func reconcile(_ request: ReconcileRequest, context: ReconcileContext) async throws -> ReconcileAction {
        guard let object = observer.cached(request) else {
            status.forget(request)  // gone: nothing to wait for
            return .awaitChange
        }
        // Our last status write has not reached the cache yet: its watch event triggers the next reconcile.
        if status.isStale(request, cachedVersion: object.resourceVersion) { return .awaitChange }
        var logger = context.logger
        logger[metadataKey: "canary"] = "\(request)"
        do {
            let (canary, parts) = try observer.read(object)
            if object.metadata.deletionTimestamp != nil { return try await terminate(canary, object: object, parts: parts) }
            return try await reconcile(canary, object: object, parts: parts, logger: logger)
        } catch let invalid as InvalidCanary {
            if CanaryReconciler.awaitsTarget(object, invalid, now: clock.date) { return .requeue(after: .seconds(1)) }
            try await status.markInvalid(object, reason: invalid.reason, message: invalid.message)
            return .awaitChange
        } catch let failure as ActingError {
            return try await status.report(failure, object: object)
        }
    }

    /// A Canary applied with its target in one go whose target the cache has not seen yet (its watch event can
    /// come after the Canary's): looked at again in a second, for its first 3 s, before it is called invalid.
    static func awaitsTarget(_ object: DynamicObject, _ invalid: InvalidCanary, now: Date) -> Bool {
        guard invalid.reason == "TargetNotFound", object.json[path: "status", "phase"] == nil,
            let created = object.metadata.creationTimestamp?.date
        else { return false }
        return now.timeIntervalSince(created) < 3
    }

    /// A valid Canary: its references, the primary, the HPA, the Services and the routing, then one step.
    private func reconcile(_ canary: Canary, object: DynamicObject, parts: CanaryParts, logger: Logger) async throws -> ReconcileAction {
        if let unwritten = status.unwrittenStatus(ObjectKey(object), current: canary.status) {
            // The last step acted but its status write failed: record it now rather than run the step again.
            try await acting("write the status") { try await status.write(unwritten, of: canary, from: canary.status, stored: object.json["status"]) }
            return .requeue(after: .seconds(1))
        }
        if try await acting("update the finalizer", { try await actions.syncFinalizer(canary, object: object) }) { return .awaitChange }
        let (target, selector) = try observer.target(of: canary, parts: parts)
        try observer.checkDependencyCycle(canary)
        // Before a rollout starts, a template that cannot be used is named; during one, it fails the check as in Flagger.
        let unsafe = try checks.checkReferences(canary.withEveryStepsChecks(), queries: parts.router.queries)
        try await acting("record a warning") { try await actions.warnOnce(unsafe, kind: "tls", canary: canary) }
        if canary.status?.phase == nil || canary.status?.phase == .initializing {
            let unavailable = await checks.unavailableProviders(canary)
            try await acting("record a warning") { try await actions.warnOnce(unavailable, kind: "online", canary: canary) }
        }
        try await actions.reconcileOwned(canary, target: target, selector: selector, parts: parts)
        switch parts.router.readiness(canary) {
        case .ready: return try await step(canary, stored: object.json["status"], target: target, parts: parts, logger: logger)
        case .pending(let reason):
            logger.debug("waiting for the data plane", metadata: ["reason": "\(reason)"])
            return .requeue(after: .seconds(1))
        case .refused(let reason): throw ActingError(step: "route traffic", cause: RouterError(reason))
        }
    }

    /// One decision and its actions, then the status that records them.
    ///
    /// A step that changes the status writes its Events first, each under a name derived from the status it
    /// started from: a step taken again after a crash or a failed write finds them there and writes none twice.
    private func step(
        _ canary: Canary, stored: JSONValue?, target: JSONValue, parts: CanaryParts, logger: Logger
    ) async throws -> ReconcileAction {
        let observation = observer.observe(canary, target: target, parts: parts)
        let trace = tracing.begin(canary)
        var logger = logger
        if let trace { logger[metadataKey: "trace_id"] = "\(trace.traceID)" }
        let (decision, observed) = try await checks.decide(observation, parts: parts, logger: logger, trace: trace)
        var next = CanaryJournal.journaled(decision, observation: observed)
        next.conditions = CanaryStatusRecorder.withValid(next.conditions, valid: true, message: "", now: clock.date)
        var act = StepActions(
            canary: canary, parts: parts, phase: decision.status.phase ?? .initializing,
            transition: next != canary.status ? CanaryActionExecutor.transitionKey(of: canary) : nil)
        var routing = canary
        routing.status = next
        act.routing = routing
        for action in decision.actions {
            try Task.checkCancellation()  // a stopped operator acts no further; the next one takes the step again
            try await measured(trace, CanaryReconciler.spanName(action)) { try await actions.execute(action, in: &act) }
        }
        try Task.checkCancellation()
        if next != canary.status {
            try await measured(trace, "write status") { try await status.write(next, of: canary, from: canary.status, stored: stored) }
        }
        tracing.finish(trace, canary: canary, after: next, events: decision.events, now: clock.date)
        metrics.record(canary, status: next)
        if CanaryStateMachine.finishedRollout(from: canary.status?.phase, to: next.phase), let phase = next.phase {
            metrics.finished(canary, phase: phase)
        }
        if decision.status.phase != canary.status?.phase {
            logger.info(
                "phase changed", metadata: ["from": "\(canary.status?.phase?.rawValue ?? "")", "to": "\(decision.status.phase?.rawValue ?? "")"])
        }
        // After the status that records the request as handled: a reconcile that still sees it only removes it.
        if decision.clearsRequest { try await status.removeRequest(of: canary, logger: logger) }
        if decision.waitsForTimeAlone { return .quiet(requeueAfter: decision.requeueAfter) }
        return decision.requeueAfter.map { .requeue(after: $0) } ?? .awaitChange
    }

    /// The span of an action: what it writes.
    static func spanName(_ action: CanaryAction) -> String {
        switch action {
        case .setRoutes(let routes): "set routes \(routes)"
        case .scaleTargetToZero: "scale target to zero"
        case .scaleTargetUp: "scale target up"
        case .scaleTarget(let replicas): "scale target to \(replicas)"
        case .promote: "promote"
        case .restorePrevious: "restore the previous version"
        case .applyBaseline: "apply baseline"
        case .deleteBaseline: "delete baseline"
        case .applyPrevious: "apply previous version"
        case .deletePrevious: "delete previous version"
        case .acquireSlot: "acquire rollout slot"
        case .releaseSlot: "release rollout slot"
        case .event: "record event"
        case .runHooks(let type, _): "webhooks \(type.rawValue)"
        case .removeFinalizer: "remove finalizer"
        }
    }

    /// A Canary being deleted with our finalizer: hand the workload back to the target first.
    private func terminate(_ canary: Canary, object: DynamicObject, parts: CanaryParts) async throws -> ReconcileAction {
        guard (object.metadata.finalizers ?? []).contains(CanaryStateMachine.finalizer) else { return .awaitChange }
        let decision = CanaryStateMachine.terminate(observer.observeTermination(canary, parts: parts))
        if decision.status != canary.status {
            try await status.write(decision.status, of: canary, from: canary.status, stored: object.json["status"])
        }
        var act = StepActions(canary: canary, parts: parts, phase: decision.status.phase ?? .terminating, transition: nil)
        for action in decision.actions { try await actions.execute(action, in: &act) }
        return decision.requeueAfter.map { .requeue(after: $0) } ?? .awaitChange
    }
}
