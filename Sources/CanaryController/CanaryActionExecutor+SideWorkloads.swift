import CanaryAPI
import CanaryCore
import KubeCore
import Routers
import Targets

extension CanaryActionExecutor {
    /// Creates the baseline (`analysis.baseline`) or resizes it to the canary's replicas (the target's own,
    /// else the primary's, as the canary is scaled up), then its Service.
    func applyBaseline(_ canary: Canary, workload: any CanaryTarget) async throws {
        let owner = CanaryActionExecutor.owner(canary)
        let replicas = workload.scaleUpReplicas(canary)
        try await acting("create the baseline \(canary.baselineName) with \(replicas) replicas") {
            guard let baselines = workload as? any BaselineTarget else {
                throw TargetError("a \(canary.targetKind?.rawValue ?? "target") target cannot run a baseline (spec.analysis.baseline)")
            }
            try await baselines.applyBaseline(canary, replicas: replicas, owner: owner)
        }
        try await applyService(.baseline, canary, workload: workload, owner: owner)
    }

    /// Deletes the baseline's Deployment and Service (only those the Canary controls).
    func deleteBaseline(_ canary: Canary, workload: any CanaryTarget) async throws {
        try await acting("delete the baseline \(canary.baselineName)") { try await (workload as? any BaselineTarget)?.deleteBaseline(canary) }
        try await acting("delete the baseline Service \(canary.baselineServiceName)") { try await services.delete(.baseline, canary) }
    }

    /// Creates the previous version (`analysis.bake.keepPrevious`) or resizes it to the primary's replicas,
    /// then its Service.
    func applyPrevious(_ canary: Canary, workload: any CanaryTarget) async throws {
        let owner = CanaryActionExecutor.owner(canary)
        let replicas = workload.primary(of: canary)?[path: "spec", "replicas"]?.intValue ?? workload.scaleUpReplicas(canary)
        try await acting("create the previous version \(canary.previousName) with \(replicas) replicas") {
            guard let previous = workload as? any PreviousTarget else {
                throw TargetError(
                    "a \(canary.targetKind?.rawValue ?? "target") target cannot keep its previous version (spec.analysis.bake.keepPrevious)")
            }
            try await previous.applyPrevious(canary, replicas: replicas, owner: owner)
        }
        try await applyService(.previous, canary, workload: workload, owner: owner)
    }

    /// Deletes the previous version's Deployment and Service (only those the Canary controls).
    func deletePrevious(_ canary: Canary, workload: any CanaryTarget) async throws {
        try await acting("delete the previous version \(canary.previousName)") { try await (workload as? any PreviousTarget)?.deletePrevious(canary) }
        try await acting("delete the previous version's Service \(canary.previousServiceName)") { try await services.delete(.previous, canary) }
    }

    private func applyService(_ side: KubernetesServiceRouter.Side, _ canary: Canary, workload: any CanaryTarget, owner: OwnerReference) async throws
    {
        try await acting("create the Service \(canary.serviceName)\(side == .baseline ? "-baseline" : "-previous")") {
            guard let target = workload.target(of: canary) else {
                throw TargetError("target \(canary.dottedName) not found", terminal: false)
            }
            let selector = try workload.selectorLabel(of: target)
            try await services.apply(side, canary, selector: selector, target: target, owner: owner)
        }
    }
}
