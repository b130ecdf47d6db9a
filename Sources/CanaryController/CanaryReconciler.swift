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
import Webhooks

/// Reconciles one Canary: observe (from caches) → run the checks the step needs → decide (pure) → act.
public struct CanaryReconciler: Reconciler {
    let canaries: ObjectCache<DynamicObject>
    let canaryClient: ResourceClient<JSONValue>
    let canaryObjects: ResourceClient<DynamicObject>
    let deployment: DeploymentTarget
    let autoscaler: AutoscalerTarget
    let services: KubernetesServiceRouter
    let istio: IstioRouter
    let analysis: MetricAnalysis
    let hooks: WebhookRunner
    let events: EventRecorder
    let eventHooks: EventWebhooks
    let metrics: OperatorMetrics
    let options: OperatorOptions
    let now: @Sendable () -> Date
    let written = WrittenVersions()
    let unwritten = UnwrittenStatuses()
    /// Retries of the status write (conflicts, server errors, rate limits).
    let retry = RetryPolicy()

    public func reconcile(_ request: ReconcileRequest, context: ReconcileContext) async throws -> ReconcileAction {
        guard let object = canaries.get(request) else { return .awaitChange }
        // Our last status write has not reached the cache yet: its watch event will trigger the next reconcile.
        if written.isStale(request, cachedVersion: object.resourceVersion) { return .requeue(after: .seconds(1)) }
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
        let issues = canary.validate() + Canary.refusedFields(in: object.json["spec"] ?? [:])
        guard issues.isEmpty else {
            try await markInvalid(object, reason: "InvalidSpec", message: issues.map(\.description).joined(separator: "; "))
            return .awaitChange
        }
        if object.metadata.deletionTimestamp != nil { return try await terminate(canary, object: object) }
        if let status = unwritten.take(request, current: canary.status) {
            // The last step acted but its status write failed: record it now rather than run the step again.
            try await write(status, of: canary, from: canary.status)
            return .requeue(after: .seconds(1))
        }
        if let action = try await syncFinalizer(canary, object: object) { return action }
        guard let target = deployment.target(of: canary) else {
            try await markInvalid(object, reason: "TargetNotFound", message: "Deployment \(canary.namespace)/\(canary.targetName) not found")
            return .awaitChange
        }
        let selector: (key: String, value: String)
        do { selector = try deployment.selectorLabel(of: target) } catch {
            try await markInvalid(object, reason: "InvalidTarget", message: error.description)
            return .awaitChange
        }
        let owner = OwnerReference(apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, name: canary.metadata.name ?? "",
                                   uid: canary.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
        try await deployment.ensurePrimary(canary, target: target, owner: owner)
        do { try await autoscaler.reconcile(canary, owner: owner) } catch let error as TargetError {
            // The HPA is missing or unusable: say so on the Canary; creating or fixing it reconciles again.
            try await markInvalid(object, reason: "InvalidAutoscaler", message: error.description)
            return .awaitChange
        }
        try await services.reconcile(canary, selector: selector, owner: owner)
        try await istio.reconcile(canary, owner: owner)
        return try await step(canary, target: target, logger: logger)
    }

    /// One decision and its actions, then the status that records them.
    ///
    /// A step that changes the status writes its Events first, each under a name derived from the status it
    /// started from: a step taken again after a crash or a failed write finds them there and writes none twice.
    private func step(_ canary: Canary, target: JSONValue, logger: Logger) async throws -> ReconcileAction {
        let time = now()
        let observation = Observation(
            now: time, canary: canary, minimumInterval: options.minimumInterval,
            target: deployment.state(target: target, canary: canary, now: time),
            primary: deployment.primary(of: canary).map { deployment.state(primary: $0, canary: canary, now: time) },
            routes: istio.routes(canary))
        let decision = try await decideRunningChecks(observation, logger: logger)
        var status = decision.status
        status.conditions = CanaryReconciler.withValid(status.conditions, valid: true, message: "", now: now())
        var act = StepActions(canary: canary, phase: decision.status.phase ?? .initializing,
                              transition: status != canary.status ? CanaryReconciler.transitionKey(of: canary) : nil)
        for action in decision.actions {
            try Task.checkCancellation()  // a stopped operator acts no further; the next one takes the step again
            try await execute(action, in: &act)
        }
        try Task.checkCancellation()
        if status != canary.status { try await write(status, of: canary, from: canary.status) }
        metrics.record(canary, status: status)
        if CanaryStateMachine.finishedRollout(from: canary.status?.phase, to: status.phase), let phase = status.phase {
            metrics.finished(canary, phase: phase)
        }
        if decision.status.phase != canary.status?.phase {
            logger.info("phase changed", metadata: ["from": "\(canary.status?.phase?.rawValue ?? "")", "to": "\(decision.status.phase?.rawValue ?? "")"])
        }
        return decision.requeueAfter.map { .requeue(after: $0) } ?? .awaitChange
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
    private func terminate(_ canary: Canary, object: DynamicObject) async throws -> ReconcileAction {
        guard (object.metadata.finalizers ?? []).contains(CanaryStateMachine.finalizer) else { return .awaitChange }
        let time = now()
        let observation = Observation(
            now: time, canary: canary, minimumInterval: options.minimumInterval,
            target: deployment.target(of: canary).map { deployment.state(target: $0, canary: canary, now: time) },
            primary: nil, routes: nil)
        let decision = CanaryStateMachine.terminate(observation)
        if decision.status != canary.status { try await write(decision.status, of: canary, from: canary.status) }
        var act = StepActions(canary: canary, phase: decision.status.phase ?? .terminating, transition: nil)
        for action in decision.actions { try await execute(action, in: &act) }
        return decision.requeueAfter.map { .requeue(after: $0) } ?? .awaitChange
    }

}
