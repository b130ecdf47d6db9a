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

    /// The baseline (`analysis.baseline`, ``BaselineTarget``): its Deployment and its Service (created and
    /// patched as the primary and the other Services are) deleted when the analysis ends. Granted only with a
    /// mesh provider whose router can route a baseline (RBAC cannot narrow a delete to names ending in
    /// `-baseline`).
    public static let baselineRules = [PolicyRule(.deployments, verbs: ["delete"]), PolicyRule(.services, verbs: ["delete"])]

    /// The RBAC rules of the targets: every registered kind's, the autoscalers', and with `configTracking`
    /// the ConfigMaps and Secrets that ``ConfigTracker`` watches and copies.
    public static func rules(configTracking: Bool) -> [PolicyRule] {
        registrations.flatMap(\.rules) + autoscalerRules + (configTracking ? ConfigTracker.resources.map(PolicyRule.rule(for:)) : [])
    }
}
