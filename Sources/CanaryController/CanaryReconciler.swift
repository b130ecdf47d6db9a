import Alerting
import Analysis
import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import MetricProviders
import Routers
import Targets
import OTLPTracing
import Webhooks

/// Reconciles one Canary: observe (from caches) → run the checks the step needs → decide (pure) → act.
public struct CanaryReconciler: Reconciler {
    let canaries: ObjectCache<DynamicObject>
    let canaryClient: ResourceClient<JSONValue>
    let canaryObjects: ResourceClient<DynamicObject>
    /// The workload side, by target kind.
    let targets: [TargetKind: any CanaryTarget]
    let autoscaler: AutoscalerTarget
    let services: KubernetesServiceRouter
    /// The routers this operator runs, by provider.
    let routers: [MeshProvider: any TrafficRouter]
    /// What validation accepts: the operator's default provider, its routers and target kinds.
    let validation: ValidationContext
    let analysis: MetricAnalysis
    let hooks: WebhookRunner
    let events: EventRecorder
    let eventHooks: EventWebhooks
    let alerts: OperatorAlerts
    let metrics: OperatorMetrics
    let options: OperatorOptions
    let clock: OperatorClock
    /// Each rollout's trace (OTLP), when configured.
    var tracing = RolloutTracing(exporter: nil)
    let written = WrittenVersions()
    let unwritten = UnwrittenStatuses()
    let validSpecs = ValidSpecs()
    /// Retries of the status write (conflicts, server errors, rate limits).
    let retry = RetryPolicy()

    /// The wall date now, on the operator's clock.
    func now() -> Date { clock.date }

    public func reconcile(_ request: ReconcileRequest, context: ReconcileContext) async throws -> ReconcileAction {
        guard let object = canaries.get(request) else {
            validSpecs.forget(request)
            return .awaitChange
        }
        // Our last status write has not reached the cache yet: its watch event (an echo not dropped, since
        // nothing is scheduled) triggers the next reconcile.
        if written.isStale(request, cachedVersion: object.resourceVersion) { return .awaitChange }
        var logger = context.logger
        logger[metadataKey: "canary"] = "\(request)"
        var canary: Canary
        do {
            canary = try object.json.decode(as: Canary.self)
            canary.status = canary.status?.bounded()
        } catch let error as DecodingError {
            try await markInvalid(object, reason: "InvalidSpec", message: error.fieldMessage)
            return .awaitChange
        }
        if !validSpecs.contains(object) {
            let issues = canary.validate(validation) + Canary.refusedFields(in: object.json["spec"] ?? [:])
            guard issues.isEmpty else {
                validSpecs.forget(request)
                try await markInvalid(object, reason: "InvalidSpec", message: issues.map(\.description).joined(separator: "; "))
                return .awaitChange
            }
            validSpecs.record(object)
        }
        guard let kind = canary.targetKind, let workload = targets[kind],
            let provider = canary.meshProvider(default: validation.meshProvider), let router = routers[provider]
        else {
            // Validation refuses a kind or provider this operator does not run; this is its backstop.
            try await markInvalid(object, reason: "InvalidSpec", message: "the target kind or provider is not enabled on this operator")
            return .awaitChange
        }
        let parts = CanaryParts(target: workload, router: router, provider: provider)
        do {
            if object.metadata.deletionTimestamp != nil { return try await terminate(canary, object: object, parts: parts) }
            return try await reconcile(canary, object: object, parts: parts, logger: logger)
        } catch let failure as ActingError {
            return try await report(failure, object: object)
        }
    }

    /// A valid Canary: its references, the primary, the HPA, the Services and the routing, then one step.
    private func reconcile(_ canary: Canary, object: DynamicObject, parts: CanaryParts, logger: Logger) async throws -> ReconcileAction {
        let request = ObjectKey(object)
        if let status = unwritten.take(request, current: canary.status) {
            // The last step acted but its status write failed: record it now rather than run the step again.
            try await acting("write the status") { try await write(status, of: canary, from: canary.status) }
            return .requeue(after: .seconds(1))
        }
        if let action = try await acting("update the finalizer", { try await syncFinalizer(canary, object: object) }) { return action }
        let workload = parts.target
        guard let target = workload.target(of: canary) else {
            let kind = canary.targetKind?.rawValue ?? "target"
            try await markInvalid(object, reason: "TargetNotFound", message: "\(kind) \(canary.namespace)/\(canary.targetName) not found")
            return .awaitChange
        }
        let selector: (key: String, value: String)
        do { selector = try workload.selectorLabel(of: target) } catch {
            try await markInvalid(object, reason: "InvalidTarget", message: error.description)
            return .awaitChange
        }
        let references = CanaryStateMachine.isAnalysing(canary.status?.phase) ? [] : analysis.referenceIssues(canary)
        guard references.isEmpty else {
            // Before a rollout starts, a template that cannot be used is named; during one, it fails the check as in Flagger.
            try await markInvalid(object, reason: "InvalidReference", message: references.map(\.description).joined(separator: "; "))
            return .awaitChange
        }
        let owner = CanaryReconciler.owner(canary)
        do { try await autoscaler.reconcile(canary, owner: owner) } catch let error as TargetError {
            // The HPA is missing or unusable: say so on the Canary; creating or fixing it reconciles again.
            try await markInvalid(object, reason: "InvalidAutoscaler", message: error.description)
            return .awaitChange
        } catch { throw ActingError(step: "reconcile the primary HorizontalPodAutoscaler", cause: error) }
        try await acting("create the primary \(canary.primaryName)") { try await workload.ensurePrimary(canary, target: target, owner: owner) }
        try await acting("reconcile the Services") { try await services.reconcile(canary, selector: selector, target: target, owner: owner) }
        try await acting("reconcile the \(parts.provider) routing") { try await parts.router.reconcile(canary, owner: owner) }
        return try await step(canary, target: target, parts: parts, logger: logger)
    }

    /// One decision and its actions, then the status that records them.
    ///
    /// A step that changes the status writes its Events first, each under a name derived from the status it
    /// started from: a step taken again after a crash or a failed write finds them there and writes none twice.
    private func step(_ canary: Canary, target: JSONValue, parts: CanaryParts, logger: Logger) async throws -> ReconcileAction {
        let time = now()
        let workload = parts.target
        var observation = Observation(
            now: time, canary: canary, minimumInterval: options.minimumInterval,
            target: workload.state(target: target, canary: canary, now: time),
            primary: workload.primary(of: canary).map { workload.state(primary: $0, canary: canary, now: time) },
            routes: parts.router.routes(canary))
        observation.splitsTraffic = parts.router.splitsTraffic
        let trace = tracing.begin(canary)
        var logger = logger
        if let trace { logger[metadataKey: "trace_id"] = "\(trace.traceID)" }
        let (decision, observed) = try await decideRunningChecks(observation, parts: parts, logger: logger, trace: trace)
        var status = CanaryJournal.journaled(decision, observation: observed)
        status.conditions = CanaryReconciler.withValid(status.conditions, valid: true, message: "", now: now())
        var act = StepActions(
            canary: canary, parts: parts, phase: decision.status.phase ?? .initializing,
            transition: status != canary.status ? CanaryReconciler.transitionKey(of: canary) : nil)
        var routing = canary
        routing.status = status
        act.routing = routing
        for action in decision.actions {
            try Task.checkCancellation()  // a stopped operator acts no further; the next one takes the step again
            try await measured(trace, CanaryReconciler.spanName(action)) { try await execute(action, in: &act) }
        }
        try Task.checkCancellation()
        if status != canary.status { try await measured(trace, "write status") { try await write(status, of: canary, from: canary.status) } }
        tracing.finish(trace, canary: canary, after: status, events: decision.events, now: now())
        metrics.record(canary, status: status)
        if CanaryStateMachine.finishedRollout(from: canary.status?.phase, to: status.phase), let phase = status.phase {
            metrics.finished(canary, phase: phase)
        }
        if decision.status.phase != canary.status?.phase {
            logger.info(
                "phase changed", metadata: ["from": "\(canary.status?.phase?.rawValue ?? "")", "to": "\(decision.status.phase?.rawValue ?? "")"])
        }
        // After the status that records the request as handled: a reconcile that still sees it only removes it.
        if decision.clearsRequest { try await removeRequest(of: canary, logger: logger) }
        return decision.requeueAfter.map { .requeue(after: $0) } ?? .awaitChange
    }

    /// The span of an action: what it writes.
    static func spanName(_ action: CanaryAction) -> String {
        switch action {
        case .setRoutes(let routes): "set routes \(routes.primary)/\(routes.canary)"
        case .scaleTargetToZero: "scale target to zero"
        case .scaleTargetUp: "scale target up"
        case .promote: "promote"
        case .event: "record event"
        case .runHooks(let type, _): "webhooks \(type.rawValue)"
        case .removeFinalizer: "remove finalizer"
        }
    }

    /// `revertOnDeletion` adds the finalizer; turning it off removes it. Returns an action when it changed one.
    private func syncFinalizer(_ canary: Canary, object: DynamicObject) async throws -> ReconcileAction? {
        let has = (object.metadata.finalizers ?? []).contains(CanaryStateMachine.finalizer)
        switch (canary.spec.revertOnDeletion == true, has) {
        case (true, false): _ = try await Finalizers.add(CanaryStateMachine.finalizer, to: object, in: canaryObjects)
        case (false, true): _ = try await Finalizers.remove(CanaryStateMachine.finalizer, from: object, in: canaryObjects)
        default: return nil
        }
        return .awaitChange  // the write triggers the next reconcile
    }

    /// A Canary being deleted with our finalizer: hand the workload back to the target first.
    private func terminate(_ canary: Canary, object: DynamicObject, parts: CanaryParts) async throws -> ReconcileAction {
        guard (object.metadata.finalizers ?? []).contains(CanaryStateMachine.finalizer) else { return .awaitChange }
        let time = now()
        let workload = parts.target
        let observation = Observation(
            now: time, canary: canary, minimumInterval: options.minimumInterval,
            target: workload.target(of: canary).map { workload.state(target: $0, canary: canary, now: time) },
            primary: nil, routes: nil)
        let decision = CanaryStateMachine.terminate(observation)
        if decision.status != canary.status { try await write(decision.status, of: canary, from: canary.status) }
        var act = StepActions(canary: canary, parts: parts, phase: decision.status.phase ?? .terminating, transition: nil)
        for action in decision.actions { try await execute(action, in: &act) }
        return decision.requeueAfter.map { .requeue(after: $0) } ?? .awaitChange
    }

    /// The owner reference of what Serin creates for a Canary (its controller; deleting the Canary deletes it).
    static func owner(_ canary: Canary) -> OwnerReference {
        OwnerReference(
            apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, name: canary.metadata.name ?? "",
            uid: canary.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
    }
}
