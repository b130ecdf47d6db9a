import CanaryAPI

/// Where a group of webhooks left the decision.
enum HookOutcome {
    /// Every webhook passed (or there is none); `events` report the passes.
    case passed(events: [CanaryAction])
    /// One failed: `events` report the passes before it and the failure.
    case failed(HookResult, events: [CanaryAction])
    /// They have not run yet.
    case pending(Check)
}

extension CanaryStateMachine {
    /// The webhooks of `type`, judged from the observation: passed, failed (with Flagger's events), or not run.
    static func hooks(_ type: WebhookType, phase: CanaryPhase, _ observation: Observation) -> HookOutcome {
        guard !observation.canary.webhooks(of: type).isEmpty else { return .passed(events: []) }
        guard let results = observation.hooks[type] else { return .pending(.hooks(type, phase: phase)) }
        var events: [CanaryAction] = []
        for result in results {
            events += hookEvents(type, result, canary: observation.canary)
            if !result.passed && type != .rollback { return .failed(result, events: events) }
        }
        return .passed(events: events)
    }

    /// The events Flagger records for one webhook's outcome.
    public static func hookEvents(_ type: WebhookType, _ result: HookResult, canary: Canary) -> [CanaryAction] {
        let name = result.name
        let halt = "Halt \(canary.dottedName) advancement"
        if result.passed {
            switch type {
            case .confirmRollout: return [.event(.normal, "Confirm-rollout check \(name) passed")]
            case .preRollout: return [.event(.normal, "Pre-rollout check \(name) passed")]
            case .confirmTrafficIncrease: return [.event(.normal, "Confirm-traffic-increase check \(name) passed")]
            case .confirmPromotion: return [.event(.normal, "Confirm-promotion check \(name) passed")]
            case .postRollout: return [.event(.normal, "Post-rollout check \(name) passed")]
            case .rollback: return [.event(.warning, "Rollback check \(name) passed")]
            case .rollout, .event: return []
            }
        }
        switch type {
        case .confirmRollout: return [.event(.warning, "\(halt) waiting for approval \(name)")]
        case .preRollout: return [.event(.warning, "\(halt) pre-rollout check \(name) failed \(result.message)")]
        case .rollout: return [.event(.warning, "\(halt) external check \(name) failed \(result.message)")]
        case .confirmTrafficIncrease: return [.event(.warning, "\(halt) waiting for traffic increase approval \(name)")]
        case .confirmPromotion: return [.event(.warning, "\(halt) waiting for promotion approval \(name)")]
        case .postRollout: return [.event(.warning, "Post-rollout hook \(name) failed \(result.message)")]
        case .rollback: return [.event(.normal, "Rollback hook \(name) not signaling a rollback")]
        case .event: return []
        }
    }

    /// Whether a rollback hook asked for a rollback.
    static func rollbackRequested(_ observation: Observation) -> Bool {
        observation.hooks[.rollback]?.contains(where: \.passed) ?? false
    }

    /// The post-rollout webhooks, when the Canary has any, as the last action of a finished rollout.
    static func postRollout(_ canary: Canary, phase: CanaryPhase) -> [CanaryAction] {
        canary.webhooks(of: .postRollout).isEmpty ? [] : [.runHooks(.postRollout, phase: phase)]
    }
}
