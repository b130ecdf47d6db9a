import KubeClient
import KubeCore

/// Where a rollout story is told. Two backends conform: in memory on virtual time
/// (`CanaryControllerTests/VirtualRollout`: the whole operator against an `InMemoryCluster`, the sandbox's
/// workload simulator, a scripted Prometheus answering from the workloads' behaviour annotations) and live
/// (`ScenarioTests/Scenario`: the sandbox over loopback HTTP, its traffic simulator, a real Prometheus).
/// A story in ``RolloutStories`` is written once against this protocol and runs on both.
public protocol RolloutBackend: Sendable {
    /// A client of the backend's cluster, with the rights of an administrator.
    var client: KubeClient { get }
    /// The analysis interval stories use: Flagger's one minute on virtual time, a few seconds live.
    var storyInterval: Duration { get }
    /// The range of the metric queries (Flagger's `metrics[].interval`).
    var storyMetricInterval: Duration { get }
    /// Lets the backend's time pass (virtual time moves; live, the wall clock runs) until `condition` holds
    /// of the status of the Canary `canary` in `demo`, or the backend's patience runs out.
    func progress(_ canary: String, until condition: @escaping @Sendable (JSONValue) -> Bool) async throws -> RolloutProgress
    /// What the backend's metrics held for the workloads in `demo` over the last minute, for a failed story's
    /// message: so that a check that found no values tells whether the traffic or the engine was missing.
    func metricsEvidence() async -> String
}

extension RolloutBackend {
    public func metricsEvidence() async -> String { "" }
}

/// How a Canary went while a backend's time passed.
public struct RolloutProgress: Sendable {
    /// Whether the condition held in the end.
    public var reached: Bool
    /// Each distinct "phase weight" seen on the way (a live backend samples, so it may miss a short one).
    public var seen: [String]
    /// How much of the backend's time passed.
    public var elapsed: Duration

    public init(reached: Bool, seen: [String], elapsed: Duration) {
        self.reached = reached
        self.seen = seen
        self.elapsed = elapsed
    }

    /// "phase weight" of a Canary's status, as ``seen`` lists them.
    public static func state(of status: JSONValue) -> String {
        "\(status["phase"]?.stringValue ?? "") \(status["canaryWeight"]?.intValue ?? 0)"
    }
}
