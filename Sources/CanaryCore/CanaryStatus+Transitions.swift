import CanaryAPI
import Foundation
import KubeCore

extension CanaryStatus {
    /// The `Promoted` condition's status and message per phase, as Flagger writes them.
    static func promotedCondition(_ phase: CanaryPhase, kind: String) -> (status: String, message: String) {
        switch phase {
        case .initializing: return ("Unknown", "New \(kind) detected, starting initialization.")
        case .initialized: return ("True", "\(kind) initialization completed.")
        case .waiting, .waitingPromotion: return ("Unknown", "Waiting for approval.")
        case .progressing: return ("Unknown", "New revision detected, progressing canary analysis.")
        case .promoting: return ("Unknown", "Canary analysis completed, starting primary rolling update.")
        case .finalising: return ("Unknown", "Canary analysis completed, routing all traffic to primary.")
        case .succeeded: return ("True", "Canary analysis completed successfully, promotion finished.")
        case .failed: return ("False", "Canary analysis failed, \(kind) scaled to zero.")
        case .terminating, .terminated: return ("Unknown", "Canary is being deleted.")
        }
    }

    /// This status moved to `phase` at `now`: the `Promoted` condition follows, `lastTransitionTime` is now.
    func transitioned(to phase: CanaryPhase, now: Date, kind: String = "Deployment") -> CanaryStatus {
        var status = self
        status.phase = phase
        // The step schedule: whole seconds would make steps up to 1 s early.
        status.lastTransitionTime = KubeTime(now, precision: .microseconds).description
        let (conditionStatus, message) = CanaryStatus.promotedCondition(phase, kind: kind)
        var conditions = (status.conditions ?? []).filter { $0.type != "Promoted" }
        let previous = self.condition("Promoted")
        let stamp = KubeTime(now).description
        if let previous, previous.status == conditionStatus, previous.reason == phase.rawValue {
            conditions.insert(previous, at: 0)
        } else {
            conditions.insert(
                CanaryCondition(
                    type: "Promoted", status: conditionStatus, reason: phase.rawValue, message: message, lastUpdateTime: stamp,
                    lastTransitionTime: previous?.status == conditionStatus ? previous?.lastTransitionTime ?? stamp : stamp), at: 0)
        }
        status.conditions = conditions
        return status
    }

    /// Where a bake stands, for the `Baking` condition.
    enum BakeState {
        case running, passed, rolledBack, superseded

        var condition: (status: String, reason: String) {
            switch self {
            case .running: ("True", "Baking")
            case .passed: ("False", "Passed")
            case .rolledBack: ("False", "RolledBack")
            case .superseded: ("False", "Superseded")
            }
        }
    }

    /// This status with the `Baking` condition (Serin's, `analysis.bake`) saying where the bake stands.
    func baking(_ state: BakeState, message: String, now: Date) -> CanaryStatus {
        var status = self
        let (conditionStatus, reason) = state.condition
        let previous = condition("Baking")
        let stamp = KubeTime(now).description
        let changed = previous?.status != conditionStatus
        let updated = CanaryCondition(
            type: "Baking", status: conditionStatus, reason: reason, message: message, lastUpdateTime: stamp,
            lastTransitionTime: changed ? stamp : previous?.lastTransitionTime ?? stamp)
        status.conditions = (status.conditions ?? []).filter { $0.type != "Baking" } + [updated]
        return status
    }

    /// A fresh analysis run of `target`'s revision: weights, iterations and failed checks back to zero.
    func restarted(target: WorkloadState, now: Date) -> CanaryStatus {
        var status = self
        status.analysisStarted = KubeTime(now, precision: .microseconds).description
        status.canaryWeight = 0
        status.iterations = 0
        status.failedChecks = 0
        (status.inconclusiveSteps, status.consecutiveSuccesses) = (nil, nil)
        (status.currentStep, status.stepStarted) = (nil, nil)
        return status.applying(target)
    }

    /// `target`'s revision and tracked configs as the applied ones.
    func applying(_ target: WorkloadState) -> CanaryStatus {
        var status = self
        status.lastAppliedSpec = target.templateHash
        status.trackedConfigs = target.configs.isEmpty ? nil : target.configs
        return status
    }
}
