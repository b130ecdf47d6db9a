import CanaryAPI

/// Ordered releases (`spec.dependsOn`): a new revision starts only once the Canaries it depends on have
/// promoted its release. Until then it waits in Flagger's `Waiting` phase with Serin's `RolloutSlot` condition,
/// reason `DependsOn`, saying what it waits for; a change of any dependency looks again at once.
extension CanaryStateMachine {
    /// `Waiting` (reason `DependsOn`) while a dependency is not met; `nil` when every one is.
    static func waitForDependencies(_ observation: Observation, status: CanaryStatus, actions: [CanaryAction]) -> Decision? {
        guard !observation.dependencies.isEmpty else { return nil }
        let message = "waiting for dependencies: \(observation.dependencies.joined(separator: "; "))"
        var waiting = status.phase == .waiting ? status : status.transitioned(to: .waiting, now: observation.now)
        let entering = waiting.condition(slotCondition)?.reason != "DependsOn"
        waiting = waiting.slot(status: "False", reason: "DependsOn", message: message, now: observation.now)
        let event: [CanaryAction] = entering ? [.event(.normal, "Halt \(observation.canary.dottedName) advancement \(message)")] : []
        // Asked again whenever a dependency changes; the requeue is a backstop.
        return Decision(actions: actions + event, status: waiting, requeueAfter: .seconds(30))
    }
}
