import Foundation
import Hummingbird
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Logging
import SerinTesting
import Synchronization
import Testing
@testable import CanaryController

/// The in-memory backend of rollout stories: the whole operator (caches, controller, reconciler, events,
/// alerts) against an in-memory cluster, with the sandbox's workload simulator and a scripted Prometheus,
/// on one virtual time. Nothing waits on the wall clock: the story moves time with ``advance(until:)``, so
/// Flagger's one-minute interval costs milliseconds and load cannot make a step late.
///
/// The live backend (`ScenarioTests`: sandbox on loopback, real Prometheus, kubectl) keeps one release and
/// one rollback per router and the end-to-end suites.
final class VirtualRollout: Sendable {
    let cluster: InMemoryCluster
    let client: KubeClient
    let time = VirtualTime()

    /// The port of `serin loadtester` on loopback, when the story asked for one.
    let loadTesterPort: Int?

    private init(cluster: InMemoryCluster, loadTesterPort: Int?) {
        self.cluster = cluster
        self.loadTesterPort = loadTesterPort
        client = cluster.client()
    }

    /// What a story runs with besides the operator.
    struct Setup {
        /// Runs `serin loadtester` on loopback (gates, rollback gates, `cmd` and `bash` tasks).
        var loadTester = false
        /// Changes the operator's options (such as `eventWebhook`).
        var options: @Sendable (inout OperatorOptions) -> Void = { _ in }
    }

    /// Runs `body` with the operator running on virtual time, Serin's CRDs installed and the namespace `demo`.
    static func with(_ setup: Setup = Setup(), _ body: (VirtualRollout) async throws -> Void) async throws {
        let tester = setup.loadTester ? try await startLoadTester() : nil
        defer { tester?.task.cancel() }
        let rollout = VirtualRollout(cluster: try await InMemoryCluster.start(), loadTesterPort: tester?.port)
        try await ReconcilerHarness.installSerinCRDs(rollout.client)
        _ = try await rollout.client.resource(.namespaces, as: JSONValue.self).create(["metadata": ["name": "demo"]], namespace: nil)
        try await StubServer.serve(ScriptedPrometheus(store: rollout.cluster.store).responder) { port in
            let clock = OperatorClock.virtual(rollout.time)
            var options = OperatorOptions(metricsServer: "http://127.0.0.1:\(port)")
            setup.options(&options)
            let canaryOperator = CanaryOperator(
                client: rollout.client, options: options,
                logger: Logger(label: "test.virtual"), clock: clock)
            let workloads = WorkloadSimulator(store: rollout.cluster.store, clock: clock)
            let keptn = KeptnSimulator(store: rollout.cluster.store, clock: clock)
            let jobs = JobSimulator(store: rollout.cluster.store, clock: clock)
            let tasks = [
                Task { await workloads.run() }, Task { await keptn.run() }, Task { await jobs.run() }, Task { try await canaryOperator.run() },
            ]
            defer { for task in tasks { task.cancel() } }
            try await canaryOperator.waitUntilSynced()
            try await rollout.withOperator(canaryOperator, body)
        }
        try await rollout.client.shutdown()
    }

    private let running = Mutex<CanaryOperator?>(nil)

    private func withOperator(_ canaryOperator: CanaryOperator, _ body: (VirtualRollout) async throws -> Void) async throws {
        running.withLock { $0 = canaryOperator }
        try await body(self)
    }

    /// Whether the operator's cache of `resource` (a plural such as `metrictemplates`) holds an object in `demo`.
    func cached(_ resource: String) -> Bool {
        running.withLock { $0 }?.related.contains { $0.resourceName.hasPrefix(resource) && !$0.cache.list(namespace: "demo").isEmpty } ?? false
    }

    func create(_ resource: KubeResource, _ object: JSONValue) async throws {
        _ = try await client.resource(resource, as: JSONValue.self).create(object, namespace: "demo")
    }

    /// A new pod template: the image `image`.
    func release(_ deployment: String, image: String) async throws {
        _ = try await client.resource(.deployments, as: JSONValue.self).patch(
            deployment, namespace: "demo",
            patch: .merge(["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string(image)]]]]]]))
    }

    /// Patches the pod template's annotations (the sandbox's staging annotations, such as never-ready).
    func annotateTemplate(_ deployment: String, _ annotations: JSONValue) async throws {
        _ = try await client.resource(.deployments, as: JSONValue.self).patch(
            deployment, namespace: "demo", patch: .merge(["spec": ["template": ["metadata": ["annotations": annotations]]]]))
    }

    /// The messages of the Events on `canary`, oldest first.
    func events(_ canary: String) async throws -> [String] {
        try await client.resource(.events, as: JSONValue.self).list(namespace: "demo").items
            .filter { $0[path: "involvedObject", "name"]?.stringValue == canary && $0[path: "involvedObject", "kind"] == "Canary" }
            .compactMap { $0["message"]?.stringValue }
    }

    func status(_ canary: String) async throws -> JSONValue {
        try await client.resource(ReconcilerHarness.canaries, as: JSONValue.self).get(canary, namespace: "demo")["status"] ?? [:]
    }

    /// Moves virtual time from one timer to the next (at most `step` at a time), letting the operator and the
    /// simulator finish what each move woke, until `condition` holds of the Canary's status or `limit` has
    /// passed. Returns every distinct (phase, canary weight) seen on the way, and how much virtual time it took.
    func advance(
        _ canary: String, every step: Duration = .seconds(5), within limit: Duration = .seconds(3600),
        until condition: (JSONValue) -> Bool
    ) async throws -> (reached: Bool, seen: [String], elapsed: Duration) {
        let start = time.elapsed
        var seen: [String] = []
        while true {
            try await settle()
            let status = try await status(canary)
            let state = "\(status["phase"]?.stringValue ?? "") \(status["canaryWeight"]?.intValue ?? 0)"
            if seen.last != state { seen.append(state) }
            if condition(status) { return (true, seen, time.elapsed - start) }
            guard time.elapsed - start < limit else { return (false, seen, time.elapsed - start) }
            // The next timer (a requeue, a readiness delay, a deadline), or one step when none is set.
            let next = time.sleepers.next.map { $0 - time.elapsed } ?? step
            time.advance(by: min(max(next, .milliseconds(1)), step))
        }
    }

    /// Waits until the controller has had nothing to do for several polls in a row: what the last time
    /// step woke (requeues, readiness, their watch events) has been handled.
    private func settle() async throws {
        guard let canaryOperator = running.withLock({ $0 }) else { return }
        var quiet = 0
        let deadline = ContinuousClock.now + .seconds(120)  // a generous wall-clock bound for a loaded machine
        while quiet < 4 {
            guard ContinuousClock.now < deadline else { throw VirtualRolloutError(description: "the operator never settled") }
            quiet = await canaryOperator.controller.isIdle ? quiet + 1 : 0
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

struct VirtualRolloutError: Error, CustomStringConvertible {
    var description: String
}

extension VirtualRollout: RolloutBackend {
    var storyInterval: Duration { .seconds(60) }
    var storyMetricInterval: Duration { .seconds(60) }

    func progress(_ canary: String, until condition: @escaping @Sendable (JSONValue) -> Bool) async throws -> RolloutProgress {
        let outcome = try await advance(canary, until: condition)
        return RolloutProgress(reached: outcome.reached, seen: outcome.seen, elapsed: outcome.elapsed)
    }
}
