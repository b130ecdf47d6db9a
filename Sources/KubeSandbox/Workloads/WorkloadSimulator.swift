import Foundation
import KubeAPIServer
import KubeCore

/// Moves the status of every ``SimulatedWorkload`` (Deployments, DaemonSets) the way their controllers would.
///
/// When a workload's template, replicas or generation changes, its status immediately reflects the new
/// generation with the new replicas not yet ready; after the pod template's
/// `sandbox.serin.dev/ready-after` delay (default ``defaultReadyAfter``) they become ready and available.
/// With `sandbox.serin.dev/never-ready: "true"` they never do, and once `progressDeadlineSeconds` have
/// passed the `Progressing` condition turns `False` with reason `ProgressDeadlineExceeded`.
public actor WorkloadSimulator {
    /// Annotation keys (on the pod template) that stage scenarios. These names are a contract for tests and the demo.
    public enum Annotation {
        public static let readyAfter = "sandbox.serin.dev/ready-after"
        public static let neverReady = "sandbox.serin.dev/never-ready"
    }

    /// The readiness delay when the template does not say.
    public static let defaultReadyAfter: Duration = .milliseconds(200)

    private struct Seen: Equatable {
        var generation: Int64
        var replicas: Int
        var template: JSONValue
    }

    private let store: ObjectStore
    private let clock: OperatorClock
    private var seen: [String: Seen] = [:]
    private var pending: [String: Task<Void, Never>] = [:]

    /// - Parameter clock: the time the readiness delay and the progress deadline run on, and the status's
    ///   timestamps come from: the machine's, or a test's virtual time (then a workload becomes ready when the
    ///   test moves time past its delay).
    public init(store: ObjectStore, clock: OperatorClock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Follows workload changes until cancelled.
    public func run() async {
        let (events, continuation) = AsyncStream.makeStream(of: (String, ResourceType, JSONValue).self)
        await store.observe { type, resource, object in
            guard SimulatedWorkload.simulates(group: resource.resource.group, plural: resource.resource.plural) else { return }
            continuation.yield((type, resource, object))
        }
        for await (type, resource, object) in events {
            handle(type, resource, object)
        }
        for task in pending.values { task.cancel() }
    }

    private func handle(_ event: String, _ type: ResourceType, _ object: JSONValue) {
        let key = "\(type.resource.plural)/\(DynamicObject(json: object).metadata.key)"
        if event == "DELETED" {
            pending.removeValue(forKey: key)?.cancel()
            seen.removeValue(forKey: key)
            return
        }
        let current = Seen(
            generation: object[path: "metadata", "generation"]?.int64Value ?? 1,
            replicas: WorkloadStatus.desiredReplicas(object),
            template: object[path: "spec", "template"] ?? .null)
        guard seen[key] != current else { return }
        let templateChanged = seen[key]?.template != current.template
        seen[key] = current
        pending.removeValue(forKey: key)?.cancel()
        let store = self.store, clock = self.clock
        pending[key] = Task {
            await WorkloadSimulator.rollOut(store: store, type: type, object: object, templateChanged: templateChanged, clock: clock)
        }
    }

    private static func rollOut(
        store: ObjectStore, type: ResourceType, object: JSONValue, templateChanged: Bool, clock: OperatorClock
    ) async {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let namespace = object[path: "metadata", "namespace"]?.stringValue
        let annotations = DynamicObject(json: ["metadata": object[path: "spec", "template", "metadata"] ?? [:]]).metadata.annotations ?? [:]
        let neverReady = annotations[Annotation.neverReady] == "true"
        let delay = annotations[Annotation.readyAfter].flatMap { try? GoDuration(parsing: $0).duration } ?? defaultReadyAfter
        let started = clock.date
        await write(store, type, namespace, name) { WorkloadStatus.progressing($0, since: started, keepReady: !templateChanged) }
        if neverReady {
            let deadline = Double(object[path: "spec", "progressDeadlineSeconds"]?.intValue ?? 600)
            guard (try? await clock.sleep(for: .seconds(deadline))) != nil else { return }
            await write(store, type, namespace, name) { WorkloadStatus.deadlineExceeded($0, at: clock.date) }
            return
        }
        guard (try? await clock.sleep(for: delay)) != nil else { return }
        await write(store, type, namespace, name) { WorkloadStatus.available($0, at: clock.date) }
    }

    /// Rewrites the status from the latest object, retrying on conflicts.
    private static func write(
        _ store: ObjectStore, _ type: ResourceType, _ namespace: String?, _ name: String,
        _ status: @Sendable (JSONValue) -> JSONValue
    ) async {
        for _ in 0..<5 {
            guard let latest = try? await store.get(type, namespace: namespace, name: name) else { return }
            var updated = latest
            updated["status"] = status(latest)
            do {
                _ = try await store.update(type, namespace: namespace, name: name, object: updated, subresource: "status")
                return
            } catch {
                continue  // a concurrent write moved the resourceVersion: read again
            }
        }
    }
}
