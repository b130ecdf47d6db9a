import CanaryAPI
import CanaryCore
import KubeCore
import KubeRuntime

/// Ordered releases (`spec.dependsOn`): a change of a Canary looks again at the Canaries that depend on it, so a
/// release waiting for its dependencies starts as soon as they promoted it.
extension CanaryOperator {
    static let dependentsIndex = "dependsOn"

    /// The Canary cache's index of the Canaries that depend on others (all under one key: few do).
    static let dependentsIndexer = CacheIndex<DynamicObject>(name: dependentsIndex) { object in
        (object.json[path: "spec", "dependsOn"]?.arrayValue ?? []).isEmpty ? [] : ["*"]
    }

    /// Also reconciles, on every change of a Canary, the Canaries whose `dependsOn` names or selects it.
    static func dependents(
        of controller: Controller<DynamicObject, OperatorClock>, canaries: Reflector<DynamicObject>
    ) -> Controller<DynamicObject, OperatorClock> {
        let cache = canaries.cache
        return controller.watches(canaries) { changed in
            cache.byIndex(dependentsIndex, "*").filter { dependsOn($0, on: changed) }.map { ObjectKey($0) }
        }
    }

    /// Whether `dependent`'s `dependsOn` names or selects `canary`.
    static func dependsOn(_ dependent: DynamicObject, on canary: DynamicObject) -> Bool {
        guard dependent.namespace != canary.namespace || dependent.name != canary.name,
            let entries = dependent.json[path: "spec", "dependsOn"]
        else { return false }
        let dependencies: [CanaryDependency]
        do { dependencies = try entries.decode(as: [CanaryDependency].self) } catch { return false }  // refused on its own
        return dependencies.contains { dependency in
            let scope = dependency.scope(in: dependent.namespace ?? "")
            guard scope == canary.namespace ?? "" else { return false }
            if let name = dependency.name { return name == canary.name }
            return dependency.selector?.matches(canary.metadata.labels ?? [:]) ?? false
        }
    }

    static let heldIndex = "held"

    /// Why a rollout slot, a freeze window, a stopped line or its dependencies hold `canary`, if they do
    /// (``heldIndex``: `serin_canaries_held` counts by it).
    static func heldReason(_ canary: DynamicObject) -> String? {
        let slot = canary.json[path: "status", "conditions"]?.arrayValue?.first { $0["type"]?.stringValue == CanaryStateMachine.slotCondition }
        return CanaryStateMachine.heldReason(phase: canary.json[path: "status", "phase"]?.stringValue, slotReason: slot?["reason"]?.stringValue)
    }
}
