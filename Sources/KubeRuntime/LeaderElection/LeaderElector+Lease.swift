import Foundation
import KubeClient
import KubeCore
import Logging
import Synchronization

/// The last lease record seen and the local time it was first seen.
final class ObservedLease: Sendable {
    struct Record: Equatable { var holder: String; var renewTime: String; var duration: Int }
    private let state = Mutex<(record: Record?, at: Date)>((nil, .distantPast))

    /// Records what was read; returns the local time this exact record was first seen.
    func observe(_ record: Record, now: Date) -> Date {
        state.withLock { state in
            if state.record != record { state = (record, now) }
            return state.at
        }
    }
}

extension LeaderElector {
    /// Tries every `retryPeriod` until this replica holds the lease; returns when the winning request was sent.
    func acquire() async throws -> Date {
        while true {
            try Task.checkCancellation()
            let sent = now()
            if try await tryAcquireOrRenew() {
                fence.open(until: sent.addingTimeInterval(config.renewDeadline.seconds))
                return sent
            }
            try await sleep(config.retryPeriod)
        }
    }

    /// Renews every `retryPeriod`; throws once renewals have failed for `renewDeadline`.
    ///
    /// The fence stays open until `renewDeadline` after a successful renewal was *sent*, never after its
    /// answer came: another replica counts the lease duration from no earlier than the moment the renewal
    /// reached the server, so however slow the answer, this replica stops writing first.
    func keepRenewing(since acquired: Date) async throws {
        var lastRenewal = acquired
        while true {
            try await sleep(config.retryPeriod)
            let sent = now()
            let renewed: Bool
            do {
                renewed = try await tryAcquireOrRenew()
            } catch let handOver as LeaseHandOverRequested {
                fence.close()  // first: no write may happen past this point
                logger.info("handing the lease over on request", metadata: ["to": "\(handOver.requester)"])
                throw handOver
            } catch {
                logger.warning("failed to renew the lease", metadata: ["error": "\(error)"])
                renewed = false
            }
            // A renewal answered after the renew deadline proves nothing: the fence it would open has passed.
            if renewed, now().timeIntervalSince(sent) < config.renewDeadline.seconds {
                lastRenewal = sent
                // Extends only: a renewal still in flight when the body ended and the lease was released
                // must not reopen the fence after it.
                fence.extend(until: sent.addingTimeInterval(config.renewDeadline.seconds))
            } else if now().timeIntervalSince(lastRenewal) >= config.renewDeadline.seconds {
                fence.close()  // first: no write may happen past this point
                logger.error("lost leadership: renew deadline passed")
                throw LeaderElectionError(lease: "\(config.namespace)/\(config.leaseName)", reason: "could not renew within \(config.renewDeadline)")
            }
        }
    }

    /// One attempt: create the lease, take over an expired one, or renew our own.
    func tryAcquireOrRenew() async throws -> Bool {
        let time = KubeTime(now(), precision: .microseconds).description
        let duration = Int(config.leaseDuration.seconds.rounded(.up))
        let current: JSONValue
        do {
            current = try await leases.get(config.leaseName, namespace: config.namespace)
        } catch let error as KubeAPIError where error.isNotFound {
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(config.leaseName), "namespace": .string(config.namespace)],
                "spec": [
                    "holderIdentity": .string(config.identity), "leaseDurationSeconds": .int(duration),
                    "acquireTime": .string(time), "renewTime": .string(time), "leaseTransitions": 0,
                ],
            ]
            do {
                _ = try await leases.create(lease, namespace: config.namespace)
                return true
            } catch let error as KubeAPIError where error.isAlreadyExists || error.isConflict {
                return false
            }
        }
        let holder = current[path: "spec", "holderIdentity"]?.stringValue ?? ""
        let record = ObservedLease.Record(
            holder: holder, renewTime: current[path: "spec", "renewTime"]?.stringValue ?? "",
            duration: current[path: "spec", "leaseDurationSeconds"]?.intValue ?? duration)
        let seenAt = observed.observe(record, now: now())
        let unchanged = now().timeIntervalSince(seenAt)
        let requester = current[path: "metadata", "annotations", LeaderElector.handOverAnnotation]?.stringValue ?? ""
        let requestedByOther = !requester.isEmpty && requester != config.identity
        if holder == config.identity, config.yieldsOnRequest, requestedByOther { throw LeaseHandOverRequested(requester: requester) }
        // A lease handed over to a requester waits a whole lease duration for it before anyone else takes it.
        let expired = unchanged >= Double(record.duration) && !(requestedByOther && unchanged < config.leaseDuration.seconds)
        let free = holder.isEmpty && !(requestedByOther && unchanged < config.leaseDuration.seconds)
        guard free || holder == config.identity || expired else {
            if config.requestsHandOver, !requestedByOther, requester.isEmpty, !holder.isEmpty { await requestHandOver(current) }
            return false
        }
        var updated = current
        // Taking the lease answers any request on it: the requester's own, or one whose requester never came
        // (a replica that asked and died); a requester still there asks again.
        if holder != config.identity || requester == config.identity {
            updated[path: "metadata", "annotations", LeaderElector.handOverAnnotation] = nil
        }
        updated[path: "spec", "holderIdentity"] = .string(config.identity)
        updated[path: "spec", "leaseDurationSeconds"] = .int(duration)
        updated[path: "spec", "renewTime"] = .string(time)
        if holder != config.identity {
            updated[path: "spec", "acquireTime"] = .string(time)
            updated[path: "spec", "leaseTransitions"] = .int((current[path: "spec", "leaseTransitions"]?.intValue ?? 0) + 1)
        }
        do {
            _ = try await leases.update(updated, name: config.leaseName, namespace: config.namespace)
            return true
        } catch let error as KubeAPIError where error.isConflict {
            return false
        }
    }

    /// Asks the holder to hand the lease over (an annotation it reads at its next renewal); a conflict
    /// means the lease changed and the next attempt looks again.
    func requestHandOver(_ current: JSONValue) async {
        var asking = current
        asking[path: "metadata", "annotations", LeaderElector.handOverAnnotation] = .string(config.identity)
        do {
            _ = try await leases.update(asking, name: config.leaseName, namespace: config.namespace)
            logger.info(
                "asked the holder to hand the lease over", metadata: ["holder": "\(current[path: "spec", "holderIdentity"]?.stringValue ?? "")"])
        } catch {
            logger.debug("failed to ask for the lease; asking again", metadata: ["error": "\(error)"])
        }
    }

    /// Gives the lease up so a standby can take over at once.
    func release() async {
        fence.close()
        do {
            var lease = try await leases.get(config.leaseName, namespace: config.namespace)
            guard lease[path: "spec", "holderIdentity"]?.stringValue == config.identity else { return }
            lease[path: "spec", "holderIdentity"] = .string("")
            lease[path: "spec", "leaseDurationSeconds"] = 1
            lease[path: "spec", "renewTime"] = .string(KubeTime(now(), precision: .microseconds).description)
            _ = try await leases.update(lease, name: config.leaseName, namespace: config.namespace)
            logger.info("released the lease")
        } catch {
            logger.warning("failed to release the lease; a standby takes over when it expires", metadata: ["error": "\(error)"])
        }
    }
}
