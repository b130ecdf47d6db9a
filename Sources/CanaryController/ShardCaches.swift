import CanaryAPI
import KubeCore
import KubeRuntime
import Synchronization

/// What a sharded replica (`--shard N/M`) caches of what Canaries own (by owner reference, or by
/// ``OwnedObjectApplier/ownerAnnotation``): the objects of its own shard's Canaries and of every shard it
/// leads. The Canaries themselves, and what no Canary owns (targets, ConfigMaps, Secrets, HPAs,
/// MetricTemplates), every replica caches: a fleet budget, `dependsOn` and their triggers read Canaries of
/// other shards.
///
/// ## Guarantees
/// - A replica's own shard stays cached while another replica leads it: it is the shard the replica asks
///   back, so it takes it over warm.
/// - A shard taken over is ``isReady(_:)`` only once what its Canaries own is listed: until then its Canaries
///   are not reconciled (never created again for want of a cache entry).
/// - A shard given up leaves the caches by a relist.
///
/// ## Caveats
/// Taking a shard over costs a list of every watched resource but the Canaries (measured in
/// `docs/benchmarks.md`).
final class ShardCaches: Sendable {
    let assignment: ShardAssignment
    private let ownedShards: Mutex<Set<Int>>
    private let readyShards: Mutex<Set<Int>>

    init(assignment: ShardAssignment) {
        self.assignment = assignment
        ownedShards = Mutex([assignment.index])
        readyShards = Mutex([assignment.index])
    }

    /// Whether a related object's cache holds `object`: it is not a Canary's, or its Canary's shard is cached.
    func admitsRelated(_ object: DynamicObject) -> Bool {
        guard let owner = Self.owningCanary(of: object) else { return true }
        let shard = assignment.shard(of: owner)
        return ownedShards.withLock { $0.contains(shard) }
    }

    /// Whether the Canaries of `key`'s shard may be reconciled here: what they own is cached.
    func isReady(_ key: ObjectKey) -> Bool {
        let shard = assignment.shard(of: key)
        return readyShards.withLock { $0.contains(shard) }
    }

    /// The Canary that owns `object`, if one does.
    static func owningCanary(of object: DynamicObject) -> ObjectKey? {
        if let reference = object.ownerReferences?.first(where: { $0.kind == Canary.resource.kind && $0.apiVersion.hasPrefix("flagger.app/") }) {
            return ObjectKey(namespace: object.namespace, name: reference.name)
        }
        return object.metadata.annotations?[OwnedObjectApplier.ownerAnnotation].flatMap { ObjectKey(namespaced: $0) }
    }

    /// Caches `shard`, taken over; returns once what its Canaries own is listed.
    func add(_ shard: Int, related: [Reflector<DynamicObject>]) async {
        guard ownedShards.withLock({ $0.insert(shard).inserted }) else { return }
        await Self.relist(related)
        readyShards.withLock { _ = $0.insert(shard) }
    }

    /// Drops `shard`, given up (never the replica's own).
    func remove(_ shard: Int, related: [Reflector<DynamicObject>]) async {
        guard shard != assignment.index, readyShards.withLock({ $0.remove(shard) != nil }) else { return }
        ownedShards.withLock { _ = $0.remove(shard) }
        await Self.relist(related)
    }

    private static func relist(_ reflectors: [Reflector<DynamicObject>]) async {
        await withDiscardingTaskGroup { group in
            for reflector in reflectors { group.addTask { await reflector.relist() } }
        }
    }
}
