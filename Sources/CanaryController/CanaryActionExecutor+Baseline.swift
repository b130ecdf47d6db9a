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
        try await acting("create the baseline Service \(canary.baselineServiceName)") {
            guard let target = workload.target(of: canary) else {
                throw TargetError("target \(canary.dottedName) not found", terminal: false)
            }
            let selector = try workload.selectorLabel(of: target)
            try await services.applyBaseline(canary, selector: selector, target: target, owner: owner)
        }
    }

    /// Deletes the baseline's Deployment and Service (only those the Canary controls).
    func deleteBaseline(_ canary: Canary, workload: any CanaryTarget) async throws {
        try await acting("delete the baseline \(canary.baselineName)") { try await (workload as? any BaselineTarget)?.deleteBaseline(canary) }
        try await acting("delete the baseline Service \(canary.baselineServiceName)") { try await services.deleteBaseline(canary) }
    }
}
