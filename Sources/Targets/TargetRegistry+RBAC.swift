import KubeCore
import KubeRuntime

extension TargetRegistry {
    /// The primaries' autoscalers: HorizontalPodAutoscalers watched, `<hpa>-primary` created and corrected
    /// (``AutoscalerTarget``); KEDA ScaledObjects read, `<so>-primary` created and updated, the target's
    /// paused, each by a direct request (``ScaledObjectScaler``, no cache).
    public static let autoscalerRules = [
        PolicyRule(.horizontalPodAutoscalers, verbs: PolicyRule.readVerbs + PolicyRule.writeVerbs),
        PolicyRule(ScaledObjectScaler.resource, verbs: ["get", "create", "patch"]),
    ]

    /// The RBAC rules of the targets: every registered kind's, the autoscalers', and with `configTracking`
    /// the ConfigMaps and Secrets that ``ConfigTracker`` watches and copies.
    public static func rules(configTracking: Bool) -> [PolicyRule] {
        registrations.flatMap(\.rules) + autoscalerRules + (configTracking ? ConfigTracker.resources.map(PolicyRule.rule(for:)) : [])
    }
}
