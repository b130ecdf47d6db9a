import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

/// Splits the keys of a controller into shards, each led through a Lease of its own, so that several
/// replicas share the work and take over each other's shards.
///
/// ## Expected flow
/// Every replica runs an elector per shard. It asks for its own shard at once (a holder hands it over at
/// its next renewal); it stands by for the others and takes one over when its lease expires or is released.
/// At start it waits a lease duration before it campaigns for another replica's shard, so replicas started
/// together each take their own, and none lists and caches the whole fleet's shards first.
/// ``run(whileLeading:)`` calls the body for each shard this replica holds, for as long as it holds it.
///
/// ## Guarantees
/// - A key's shard is a stable hash of `namespace/name` (FNV-1a, 64 bits) modulo the shard count: every
///   replica computes the same shard for it.
/// - **Fencing per shard**: as a ``WriteFence``, it allows a write made in a reconcile (``ReconcileScope``)
///   only while this replica holds that key's shard; so a key is never written by two replicas at once,
///   with the same margin as ``LeaderElector``. A write outside any reconcile is allowed while any shard is held.
/// - A shard whose replica dies is taken over once its lease expires: none stays undriven longer than
///   the lease duration plus a retry period (twice the lease duration for a shard whose replica never
///   starts, or dies within a lease duration of this replica's start).
///
/// ## Caveats
/// Balance is by preference, not by load: a replica that took over shards keeps them until their own
/// replicas come back and ask.
public final class ShardedLeadership: WriteFence, Sendable {
    /// This replica's own shard and the number of shards.
    public let assignment: ShardAssignment
    let electors: [LeaderElector]
    let logger: Logger

    /// - Parameters:
    ///   - client: the client for the Leases (it must not carry this fence).
    ///   - config: the lease settings; shard `k` of `M` uses the lease `<leaseName>-shard-<k>-of-<M>` (a
    ///     replica with another shard count never reads a lease whose shard means something else).
    public init(client: KubeClient, config: LeaderElector.Config, assignment: ShardAssignment, logger: Logger = Logger(label: "serin.shards")) {
        self.assignment = assignment
        self.logger = logger
        electors = (0..<assignment.count).map { shard in
            var shardConfig = config
            shardConfig.leaseName = "\(config.leaseName)-shard-\(shard)-of-\(assignment.count)"
            shardConfig.requestsHandOver = shard == assignment.index
            shardConfig.yieldsOnRequest = shard != assignment.index
            return LeaderElector(client: client, config: shardConfig, logger: logger)
        }
    }

    /// The shards this replica holds now.
    public var heldShards: [Int] { electors.indices.filter { electors[$0].isLeader } }

    /// Whether this replica holds `key`'s shard now.
    public func owns(_ key: ObjectKey) -> Bool { electors[assignment.shard(of: key)].isLeader }

    public func checkWrite(verb: String, url: String) throws {
        if let key = ReconcileScope.key {
            let shard = assignment.shard(of: key)
            guard electors[shard].isLeader else {
                throw WriteFencedError(verb: verb, url: url, reason: "this replica does not hold the lease of shard \(shard) of \(assignment.count)")
            }
        } else if heldShards.isEmpty {
            throw WriteFencedError(verb: verb, url: url, reason: "this replica holds no shard's lease")
        }
    }

    /// Campaigns for every shard until cancelled or graceful shutdown; runs `body(shard)` while holding
    /// `shard`, and campaigns again when it is lost or handed over. Returns once every body has returned.
    public func run(whileLeading body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for shard in electors.indices {
                group.addTask { try await self.campaign(shard, body: body) }
            }
        }
    }

    private func campaign(_ shard: Int, body: @escaping @Sendable (Int) async throws -> Void) async throws {
        if shard != assignment.index {
            // Replicas start together: the first one up would otherwise take every shard, list what they own,
            // and hand them back a moment later, keeping that memory. Its own replica has a lease duration to
            // claim it; a lease nobody renews is taken over after that anyway.
            let elector = electors[shard]
            do { try await cancelWhenGracefulShutdown { try await elector.sleep(elector.config.leaseDuration) } } catch { return }
        }
        while !Task.isCancelled {
            do {
                try await electors[shard].run { try await body(shard) }
                return  // the body returned: shutting down
            } catch let error as LeaderElectionError {
                logger.warning("lost a shard; campaigning again", metadata: ["shard": "\(shard)", "error": "\(error)"])
            } catch is LeaseHandOverRequested {
                logger.info("handed a shard back to its own replica", metadata: ["shard": "\(shard)"])
            } catch is CancellationError {
                return
            } catch {
                // An API error while standing by (a 500, a refused connection): every replica campaigns for
                // every shard, so one hiccup must not end them all. Nothing is led here: the fence is closed.
                logger.warning("failed to campaign for a shard; retrying", metadata: ["shard": "\(shard)", "error": "\(error)"])
                do { try await electors[shard].sleep(electors[shard].config.retryPeriod) } catch { return }
            }
        }
    }
}

/// Which shard a replica prefers, of how many: `--shard N/M`.
public struct ShardAssignment: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `N/M` with `0 ≤ N < M`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, index >= 0, index < count else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// The shard of `key`: FNV-1a (64 bits) of `namespace/name`, modulo the count.
    public func shard(of key: ObjectKey) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(key.namespace ?? "")/\(key.name)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }
}
