import CanaryAPI
import Foundation
import KubeCore

/// Rollout budgets (``CanaryAPI/RolloutPolicy``): a governed Canary starts an analysis only holding a slot of
/// each policy that selects it. Without one it waits in Flagger's `Waiting` phase, with Serin's `RolloutSlot`
/// condition saying for what ("waiting for a rollout slot: 5 of 5 in use (policy shared-libs)"), and asks again
/// until a slot is granted (first come, first served). The slot is given back by the first decision taken after
/// the status that ends the analysis is written — or by any later one that finds it still held (a crash).
extension CanaryStateMachine {
    /// The condition type of a Canary's standing under its rollout policies.
    public static let slotCondition = "RolloutSlot"

    /// Why a Canary can be held before its analysis starts: a rollout slot, a freeze window's end, a stopped
    /// line, its dependencies (the reasons of its `RolloutSlot=False` condition).
    public static let holdReasons = ["Waiting", "Frozen", "Stopped", "DependsOn"]

    /// Whether the Canary waits for a rollout slot, a freeze window's end, a stopped line or its dependencies
    /// (and not for a gate).
    static func waitsForSlot(_ status: CanaryStatus) -> Bool {
        heldReason(phase: status.phase?.rawValue, slotReason: status.condition(slotCondition)?.reason) != nil
    }

    /// What holds a Canary in `phase` whose `RolloutSlot` condition has `slotReason` (one of ``holdReasons``),
    /// or `nil` when nothing does.
    public static func heldReason(phase: String?, slotReason: String?) -> String? {
        guard phase == CanaryPhase.waiting.rawValue, let slotReason, holdReasons.contains(slotReason) else { return nil }
        return slotReason
    }

    /// A policy stopped the line (`stopTheLine`): no new rollout starts (`Waiting`, reason `Stopped`) until it is
    /// resumed; `nil` when no line is stopped.
    static func waitForResume(_ observation: Observation, status: CanaryStatus, actions: [CanaryAction]) -> Decision? {
        guard !observation.slots.stopped.isEmpty else { return nil }
        let message = "stopped: \(observation.slots.stopped.joined(separator: "; ")); kubectl serin policy resume starts it again"
        var waiting = status.phase == .waiting ? status : status.transitioned(to: .waiting, now: observation.now)
        let entering = waiting.condition(slotCondition)?.message != message
        waiting = waiting.slot(status: "False", reason: "Stopped", message: message, now: observation.now)
        let event: [CanaryAction] = entering ? [.event(.warning, "Halt \(observation.canary.dottedName) advancement \(message)")] : []
        return Decision(actions: actions + event, status: waiting, requeueAfter: .seconds(30))
    }

    /// A freeze window is open and the Canary has no override: `Waiting` (reason `Frozen`) until the window
    /// closes; `nil` when nothing is frozen.
    static func waitForThaw(_ observation: Observation, status: CanaryStatus, actions: [CanaryAction]) -> Decision? {
        let canary = observation.canary
        guard !observation.slots.frozen.isEmpty, FreezeOverride.find(in: canary.metadata.annotations) == nil else { return nil }
        let message = "frozen: \(observation.slots.frozen.joined(separator: "; "))"
        var waiting = status.phase == .waiting ? status : status.transitioned(to: .waiting, now: observation.now)
        let entering = waiting.condition(slotCondition)?.message != message
        waiting = waiting.slot(status: "False", reason: "Frozen", message: message, now: observation.now)
        let event: [CanaryAction] = entering ? [.event(.normal, "Halt \(canary.dottedName) advancement \(message)")] : []
        let left = observation.slots.thawsAt.map { $0.timeIntervalSince(observation.now) } ?? 60
        return Decision(actions: actions + event, status: waiting, requeueAfter: .milliseconds(Int64(min(max(left, 1), 60) * 1000)))
    }

    /// The Event recording that a rollout starts in a freeze window because someone overrode it.
    static func freezeOverridden(_ observation: Observation) -> [CanaryAction] {
        guard !observation.slots.frozen.isEmpty, let override = FreezeOverride.find(in: observation.canary.metadata.annotations) else { return [] }
        return [
            .event(
                .warning,
                "Freeze overridden for \(observation.canary.dottedName) by \(override.by) (\(override.reason)): \(observation.slots.frozen.joined(separator: "; "))"
            )
        ]
    }

    /// During an analysis, an open freeze window whose policy says `pause` holds the weights, and `rollback`
    /// rolls back; `nil` to go on (`finish`, an override, or no window open).
    static func frozenInFlight(_ observation: Observation, status: CanaryStatus, routes: [CanaryAction]) -> Decision? {
        let canary = observation.canary
        if !observation.slots.stopped.isEmpty {
            let why = observation.slots.stopped.joined(separator: "; ")
            return Decision(actions: routes + [.event(.warning, "Halt \(canary.dottedName) advancement: \(why)")], status: status)
        }
        guard !observation.slots.frozen.isEmpty, FreezeOverride.find(in: canary.metadata.annotations) == nil else { return nil }
        let window = observation.slots.frozen.joined(separator: "; ")
        switch observation.slots.inFlight {
        case .finish: return nil
        case .pause:
            return Decision(
                actions: routes + [.event(.normal, "Halt \(canary.dottedName) advancement: paused by \(window)")], status: status,
                requeueAfter: .seconds(min(max(Int64(observation.slots.thawsAt?.timeIntervalSince(observation.now) ?? 60), 1), 60)))
        case .rollback:
            return rollback(
                observation, status: status, first: [.event(.warning, "Rolling back \(canary.dottedName): \(window) (inFlight: rollback)")])
        }
    }

    /// No slot yet: `Waiting`, the condition and (once, on entering the wait) an Event saying why; asked again
    /// soon, and at once when a policy changes.
    static func waitForSlot(_ observation: Observation, status: CanaryStatus, actions: [CanaryAction]) -> Decision {
        let canary = observation.canary
        let message = "waiting for a rollout slot: \(observation.slots.waiting.joined(separator: "; "))"
        var waiting = status.phase == .waiting ? status : status.transitioned(to: .waiting, now: observation.now)
        let entering = !waitsForSlot(status)
        waiting = waiting.slot(status: "False", reason: "Waiting", message: message, now: observation.now)
        let event: [CanaryAction] = entering ? [.event(.normal, "Halt \(canary.dottedName) advancement \(message)")] : []
        return Decision(actions: actions + event + [.acquireSlot], status: waiting, requeueAfter: .seconds(5))
    }

    /// The decision with the slots' actions added: a rollout that starts records its slot; one that is no
    /// longer analysing (nor waiting for a slot) gives its slots back.
    static func withSlots(_ decision: Decision, observation: Observation) -> Decision {
        guard decision.pending == nil, !observation.slots.policies.isEmpty || decision.status.condition(slotCondition) != nil else { return decision }
        var decision = decision
        let asking = decision.actions.contains(.acquireSlot)
        if isAnalysing(decision.status.phase), observation.slots.mayAnalyse, observation.slots.policies.isEmpty {
            decision.status = decision.status.withoutSlot()  // it waited only for its dependencies
            return decision
        }
        if isAnalysing(decision.status.phase), observation.slots.mayAnalyse {
            let held = "holds a rollout slot of \(observation.slots.policies.map { "policy \($0)" }.joined(separator: ", "))"
            if decision.status.condition(slotCondition)?.message != held {
                decision.status = decision.status.slot(status: "True", reason: "Held", message: held, now: observation.now)
            }
            return decision
        }
        guard !asking, !isAnalysing(decision.status.phase) else { return decision }
        if observation.slots.holdsOrWaits {
            // Given back once the status that ends the analysis is written, never before: a slot is never
            // free while its Canary still shows as analysing.
            if isAnalysing(observation.canary.status?.phase) {
                decision.requeueAfter = .zero
            } else {
                decision.actions.append(.releaseSlot)
            }
        }
        guard !waitsForSlot(decision.status) else { return decision }  // frozen: the condition says until when
        decision.status = decision.status.withoutSlot()
        return decision
    }
}

extension CanaryStatus {
    /// This status without the `RolloutSlot` condition.
    func withoutSlot() -> CanaryStatus {
        var status = self
        status.conditions?.removeAll { $0.type == CanaryStateMachine.slotCondition }
        if status.conditions?.isEmpty == true { status.conditions = nil }
        return status
    }

    /// This status with the `RolloutSlot` condition set.
    func slot(status conditionStatus: String, reason: String, message: String, now: Date) -> CanaryStatus {
        var status = self
        let previous = condition(CanaryStateMachine.slotCondition)
        let stamp = KubeTime(now).description
        let updated = CanaryCondition(
            type: CanaryStateMachine.slotCondition, status: conditionStatus, reason: reason, message: message, lastUpdateTime: stamp,
            lastTransitionTime: previous?.status == conditionStatus ? previous?.lastTransitionTime ?? stamp : stamp)
        status.conditions = (status.conditions ?? []).filter { $0.type != CanaryStateMachine.slotCondition } + [updated]
        return status
    }
}
