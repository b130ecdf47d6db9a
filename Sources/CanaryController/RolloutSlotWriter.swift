import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// Takes and gives back a Canary's rollout slots in the RolloutPolicies that govern it, through the API server:
/// each change is a compare-and-swap write of the policy's status (its `resourceVersion`), retried on conflict,
/// so any number of replicas and shards share one budget and none can overrun it.
struct RolloutSlotWriter: Sendable {
    let policies: ResourceClient<RolloutPolicy>
    let cache: ObjectCache<DynamicObject>
    /// The Canaries (a slot or queue place of one that no longer exists is dropped).
    let canaries: ObjectCache<DynamicObject>
    let clock: OperatorClock

    /// The most conflicting writes one change retries.
    static let attempts = 20

    /// The policies that select the Canary, from the cache.
    static func governing(_ canary: Canary, in cache: ObjectCache<DynamicObject>) -> [RolloutPolicy] {
        cache.list().compactMap { object in
            let policy: RolloutPolicy
            // An unreadable policy selects nothing; a Warning on it says so (CanaryOperator.reportUnreadable).
            do { policy = try object.json.decode(as: RolloutPolicy.self) } catch { return nil }
            return policy.selects(namespace: canary.namespace, labels: canary.metadata.labels ?? [:]) ? policy : nil
        }
    }

    func acquire(_ canary: Canary) async throws {
        let key = "\(canary.namespace)/\(canary.metadata.name ?? "")"
        for policy in RolloutSlotWriter.governing(canary, in: cache) {
            try await change(policy.metadata.name ?? "") { RolloutSlots.acquire($0, canary: key, now: clock.date, exists: exists) }
        }
    }

    /// Gives back the slots and queue places of every policy that names the Canary (whether or not it still
    /// selects it: a relabelled Canary gives its slot back too); a Canary that ended `Failed` counts as a
    /// rollback for `stopTheLine`. Returns what each policy that stopped its line because of it says.
    func release(_ canary: Canary) async throws -> [String] {
        let key = "\(canary.namespace)/\(canary.metadata.name ?? "")"
        let rolledBack = canary.status?.phase == .failed
        var stops: [String] = []
        for object in cache.list() {
            let status = object.json["status"]
            let named =
                (status?["holders"]?.arrayValue ?? []).contains { $0["canary"]?.stringValue == key }
                || (status?["queue"]?.arrayValue ?? []).contains { $0.stringValue == key }
            guard named, let name = object.name else { continue }
            let after = try await change(name) { RolloutSlots.release($0, canary: key, rolledBack: rolledBack, now: clock.date, exists: exists) }
            if let before = after.before, before.stopped == nil, let stop = after.status?.stopped {
                stops.append("Stop the line: policy \(name) paused its Canaries after \(stop.reason)")
            }
        }
        return stops
    }

    /// Starts a stopped line again (`kubectl serin policy resume`).
    func resume(_ name: String) async throws { _ = try await change(name) { RolloutSlots.resumed($0) } }

    private func exists(_ key: String) -> Bool {
        ObjectKey(namespaced: key).map { canaries.contains($0) } ?? false
    }

    /// Reads the policy, applies `update` to its status and writes it back if it changed, against the version
    /// read; a conflict (another replica wrote first) reads again.
    /// Returns the status before and after the write (`status` `nil` when nothing changed).
    @discardableResult
    private func change(
        _ name: String, _ update: (RolloutPolicy) -> RolloutPolicy.Status
    ) async throws -> (before: RolloutPolicy.Status?, status: RolloutPolicy.Status?) {
        for _ in 0..<RolloutSlotWriter.attempts {
            var policy = try await policies.get(name)
            let before = policy.status ?? RolloutPolicy.Status()
            let status = update(policy)
            guard status != before else { return (before, nil) }
            policy.status = status
            do {
                _ = try await policies.updateStatus(policy, name: name)
                return (before, status)
            } catch let error as KubeAPIError where error.isConflict {
                continue
            }
        }
        throw RolloutSlotConflict(policy: name)
    }
}

/// Too many replicas wrote the same policy at once: the step is taken again later.
struct RolloutSlotConflict: Error, CustomStringConvertible {
    var policy: String
    var description: String {
        "failed to update the slots of rollout policy \(policy): \(RolloutSlotWriter.attempts) conflicting writes in a row (retrying)"
    }
}
