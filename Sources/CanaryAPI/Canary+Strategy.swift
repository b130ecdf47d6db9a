/// How a Canary moves traffic during its analysis (Flagger's `DeploymentStrategy`, also its metric label).
public enum DeploymentStrategy: String, Sendable, Equatable {
    /// Weights move step by step (`stepWeight`, `stepWeights`).
    case canary
    /// `iterations` without `match`: traffic stays on the primary while the canary is tested through
    /// `<svc>-canary`, then switches at once.
    case blueGreen = "blue-green"
    /// `iterations` with `match`: only matching requests (headers, cookies…) reach the canary.
    case abTesting = "ab-testing"
}

extension Canary {
    public var strategy: DeploymentStrategy {
        guard iterations > 0 else { return .canary }
        return (spec.analysis?.match ?? []).isEmpty ? .blueGreen : .abTesting
    }

    /// `analysis.iterations`, 0 when unset.
    public var iterations: Int { max(spec.analysis?.iterations ?? 0, 0) }
}
