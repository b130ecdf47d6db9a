import CanaryAPI
import KubeCore
import KubeRuntime
import Routers
import Targets

/// The RBAC the operator's requests need: what the chart's ClusterRole (or Role) grants, checked against
/// the rendered chart by the chart tests and against the requests of a running operator by the RBAC tests.
extension CanaryOperator {
    /// What every operator needs whatever its providers: Canaries watched, their finalizer and handled
    /// requests patched, their status patched; MetricTemplates watched; AlertProviders and the Secrets that
    /// templates and providers name (`secretRef`) read one by one; Events written; external metrics listed
    /// (the `externalmetrics` provider asks the operator's own API server; each metric is a resource); Keptn's
    /// KeptnMetrics read, and the Analyses the `keptn` provider creates read and deleted.
    public static let coreRules = [
        PolicyRule(Canary.resource, verbs: ["list", "watch", "patch"]),
        PolicyRule(Canary.resource, subresource: "status", verbs: ["patch"]),
        PolicyRule(MetricTemplate.resource, verbs: PolicyRule.readVerbs),
        PolicyRule(AlertProvider.resource, verbs: ["get"]),
        PolicyRule(.secrets, verbs: ["get"]),
        PolicyRule.eventRecording,
        PolicyRule(apiGroups: ["external.metrics.k8s.io"], resources: ["*"], verbs: ["list"]),
        PolicyRule(apiGroups: ["metrics.keptn.sh"], resources: ["keptnmetrics"], verbs: ["get", "list"]),
        PolicyRule(apiGroups: ["metrics.keptn.sh"], resources: ["analyses"], verbs: ["create", "watch", "delete"]),
        PolicyRule(apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "list", "watch", "delete"]),
    ]

    /// Every rule of an operator with `meshProvider` as its provider, and config tracking on or off (and,
    /// when that provider's router splits traffic three ways, the deletes of `analysis.baseline`); the
    /// Lease's are apart (``PolicyRule/leaderElection``, in one namespace).
    public static func rules(meshProvider: MeshProvider, configTracking: Bool, rolloutPolicies: Bool = false) -> [PolicyRule] {
        let baseline = RouterRegistry.registration(for: meshProvider)?.validation.splitsThreeWays == true ? TargetRegistry.baselineRules : []
        return coreRules + TargetRegistry.rules(configTracking: configTracking) + RouterRegistry.rules(meshProvider: meshProvider) + baseline
            + (rolloutPolicies ? policyRules : [])
    }

    /// Rollout budgets (`--rollout-policies`): the RolloutPolicies watched and read, their status (the slots)
    /// written.
    public static let policyRules = [
        PolicyRule(RolloutPolicy.resource, verbs: ["get", "list", "watch"]),
        PolicyRule(RolloutPolicy.resource, subresource: "status", verbs: ["update"]),
    ]
}
