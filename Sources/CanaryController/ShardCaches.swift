import CanaryAPI
import KubeCore
import KubeRuntime
import Synchronization

/// What a sharded replica (`--shard N/M`) caches: the Canaries of its own shard and of every shard it leads,
/// and the objects they own (by owner reference, or by ``OwnedObjectApplier/ownerAnnotation``). Objects no
/// Canary owns (targets, ConfigMaps, Secrets, HPAs, MetricTemplates) are cached whoever reads them.
///
/// ## Guarantees
/// - A replica's own shard stays cached while another replica leads it: it is the shard the replica asks
///   back, so it takes it over warm.
/// - Taking another shard over lists the owned objects first and the Canaries last, so a Canary of that
///   shard is reconciled only once what it owns is cached (never created again for want of a cache entry).
/// - A shard given up leaves the caches by a relist of its own, the Canaries first.
///
/// ## Caveats
/// Memory divides by the shard count only for what Canaries own; taking a shard over costs a list of every
/// watched resource (measured in `docs/benchmarks.md`).
final class ShardCaches: Sendable {
    let assignment: ShardAssignment
    private let canaryShards: Mutex<Set<Int>>
    private let ownedShards: Mutex<Set<Int>>

    init(assignment: ShardAssignment) {
        self.assignment = assignment
        canaryShards = Mutex([assignment.index])
        ownedShards = Mutex([assignment.index])
    }

    /// Whether a Canary's cache holds `canary`.
    func admitsCanary(_ canary: DynamicObject) -> Bool {
        let shard = assignment.shard(of: ObjectKey(canary))
        return canaryShards.withLock { $0.contains(shard) }
    }

    /// Whether a related object's cache holds `object`: it is not a Canary's, or its Canary's shard is cached.
    func admitsRelated(_ object: DynamicObject) -> Bool {
        guard let owner = Self.owningCanary(of: object) else { return true }
        let shard = assignment.shard(of: owner)
        return ownedShards.withLock { $0.contains(shard) }
    }

    /// The Canary that owns `object`, if one does.
    static func owningCanary(of object: DynamicObject) -> ObjectKey? {
        if let reference = object.ownerReferences?.first(where: { $0.kind == Canary.resource.kind && $0.apiVersion.hasPrefix("flagger.app/") }) {
            return ObjectKey(namespace: object.namespace, name: reference.name)
        }
        return object.metadata.annotations?[OwnedObjectApplier.ownerAnnotation].flatMap { ObjectKey(namespaced: $0) }
    }

    /// The shards cached now, sorted.
    var cachedShards: [Int] { canaryShards.withLock { $0.sorted() } }

    /// Caches `shard`, taken over: what Canaries own first, then the Canaries; returns once both are listed.
    func add(_ shard: Int, canaries: Reflector<DynamicObject>, related: [Reflector<DynamicObject>]) async {
        guard ownedShards.withLock({ $0.insert(shard).inserted }) else { return }
        await Self.relist(related)
        canaryShards.withLock { _ = $0.insert(shard) }
        await canaries.relist()
    }

    /// Drops `shard`, given up (never the replica's own): the Canaries first, then what they own.
    func remove(_ shard: Int, canaries: Reflector<DynamicObject>, related: [Reflector<DynamicObject>]) async {
        guard shard != assignment.index, canaryShards.withLock({ $0.remove(shard) != nil }) else { return }
        await canaries.relist()
        ownedShards.withLock { _ = $0.remove(shard) }
        await Self.relist(related)
    }

    private static func relist(_ reflectors: [Reflector<DynamicObject>]) async {
        await withDiscardingTaskGroup { group in
            for reflector in reflectors { group.addTask { await reflector.relist() } }
        }
    }
}
