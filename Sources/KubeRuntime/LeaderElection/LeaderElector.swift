import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it.
///
/// ## Expected flow
/// 1. ``run(whileLeading:)`` tries to acquire the lease every `retryPeriod` until it holds it.
/// 2. It opens ``fence`` and runs the body while renewing every `retryPeriod`.
/// 3. If renewals fail for `renewDeadline`, it closes the fence first (every fenced write stops at once),
///    then cancels the body and throws ``LeaderElectionError``.
/// 4. When the body returns (shutdown), it closes the fence and releases the lease so a standby takes over
///    at once instead of after `leaseDuration`.
///
/// ## Guarantees
/// - Two electors never hold the lease at once: acquisition and renewal are optimistic updates.
/// - A hand-over (``Config/requestsHandOver`` and ``Config/yieldsOnRequest``) closes the holder's fence
///   before it releases the lease, like any loss of leadership.
/// - Expiry is judged by the local time at which the lease record was last *seen to change*, never by
///   the holder's timestamps, so clock skew between replicas cannot cut a lease short.
/// - `renewDeadline < leaseDuration`: a leader stops writing before another replica may take over. The
///   fence is timed from when a renewal was *sent* (a slow answer cannot stretch it), and another replica
///   times the lease from when it first saw the renewal, which is later; the difference,
///   `leaseDuration − renewDeadline` (5 s by default), is the margin for a write in flight and clock rate skew.
public final class LeaderElector: Sendable {
    /// Durations and names.
    public struct Config: Sendable {
        public var leaseName: String
        public var namespace: String
        public var identity: String
        public var leaseDuration: Duration = .seconds(15)
        public var renewDeadline: Duration = .seconds(10)
        public var retryPeriod: Duration = .seconds(2)
        /// Asks a holder to hand the lease over instead of waiting for it to expire (a shard's own replica).
        public var requestsHandOver = false
        /// Hands the lease over when another candidate asks (a replica holding a shard that is not its own).
        public var yieldsOnRequest = false

        public init(leaseName: String, namespace: String, identity: String) {
            self.leaseName = leaseName
            self.namespace = namespace
            self.identity = identity
        }
    }

    public let config: Config
    /// Install it as the `writeFence` of the clients the leader writes with.
    public let fence: LeadershipFence
    let leases: ResourceClient<JSONValue>
    let logger: Logger
    let clock: OperatorClock
    let observed = ObservedLease()

    /// - Parameter client: the client for the Lease itself (it must not carry ``fence``).
    public init(
        client: KubeClient, config: Config, logger: Logger = Logger(label: "serin.leader-election"),
        clock: OperatorClock = .system
    ) {
        precondition(config.renewDeadline < config.leaseDuration, "renewDeadline must be shorter than leaseDuration")
        self.config = config
        self.fence = LeadershipFence(clock: clock)
        self.leases = client.resource(.leases, as: JSONValue.self)
        var logger = logger
        logger[metadataKey: "lease"] = "\(config.namespace)/\(config.leaseName)"
        logger[metadataKey: "identity"] = "\(config.identity)"
        self.logger = logger
        self.clock = clock
    }

    /// The wall date now, on the elector's clock.
    func now() -> Date { clock.date }

    /// Waits `duration` on the elector's clock.
    func sleep(_ duration: Duration) async throws { try await clock.sleep(for: duration) }

    /// The Lease annotation naming the candidate that asked for the lease.
    public static let handOverAnnotation = "serin.dev/hand-over-to"

    /// Whether this replica leads now.
    public var isLeader: Bool { fence.isOpen }

    /// Waits for the lease, runs `body` while holding it, and releases it when `body` returns.
    ///
    /// - Throws: ``LeaderElectionError`` when the lease is lost (the body is cancelled), or `CancellationError`.
    public func run(whileLeading body: @escaping @Sendable () async throws -> Void) async throws {
        // A graceful shutdown while standing by ends the wait (CancellationError); once leading, the body
        // decides how to finish.
        let acquired = try await cancelWhenGracefulShutdown { try await self.acquire() }
        logger.info("became leader")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.keepRenewing(since: acquired) }
            group.addTask {
                try await body()
                throw Finished()
            }
            do {
                try await group.next()
            } catch is Finished {
                group.cancelAll()
                await releaseEvenIfCancelled()
                return
            } catch {
                fence.close()
                group.cancelAll()
                await releaseEvenIfCancelled()
                throw error
            }
        }
    }

    private struct Finished: Error {}

    /// Releases the lease in a task of its own: a cancelled caller (shutdown) must still hand over at once.
    private func releaseEvenIfCancelled() async {
        fence.close()
        await Task { await self.release() }.value
    }
}

/// Leadership was handed over: another candidate asked for the lease (``LeaderElector/Config/yieldsOnRequest``).
public struct LeaseHandOverRequested: Error, Sendable, CustomStringConvertible {
    public var requester: String
    public var description: String { "handed the lease over to \(requester), who asked for it" }
}

/// Leadership was lost: renewals failed for the renew deadline.
public struct LeaderElectionError: Error, Sendable, CustomStringConvertible {
    public var lease: String
    public var reason: String
    public var description: String { "lost leadership of lease \(lease): \(reason)" }
}
