import Foundation
import KubeClient
import KubeCore
import Logging
import Synchronization

extension EventRecorder {
    /// Writes one Event: a count increment of the aggregated one when it exists, else a new Event.
    func write(_ pending: Pending) async {
        let key = AggregationKey(reference: pending.reference, type: pending.type, reason: pending.reason, message: pending.message).digest
        let namespace = pending.reference.namespace ?? "default"
        let time = KubeTime(pending.at).description
        if let existing = state.withLock({ $0.written[key] }) {
            let count = existing.count + 1
            let name = EventRecorder.eventName(pending.reference, stamp: existing.stamp)
            do {
                _ = try await retry.run {
                    try await events.patchReadingVersion(
                        name, namespace: namespace, patch: .merge(["count": .int(count), "lastTimestamp": .string(time)]))
                }
                remember(key, stamp: existing.stamp, count: count)
                return
            } catch let error as KubeAPIError where error.isNotFound {
                // The Event expired (the API server keeps Events for an hour): start a new one.
            } catch {
                logger.warning("failed to update an event", metadata: ["error": "\(error)", "event": "\(name)"])
                return
            }
        }
        // As client-go: the time in nanoseconds, so that names sort in the order the events happened.
        let stamp = UInt64(saturating: pending.at.timeIntervalSince1970 * 1_000_000_000)
        let name = EventRecorder.eventName(pending.reference, stamp: stamp)
        do {
            _ = try await retry.run { try await events.createReadingVersion(event(pending, name: name), namespace: namespace) }
            remember(key, stamp: stamp, count: 1)
        } catch let error as KubeAPIError where error.isAlreadyExists {
            remember(key, stamp: stamp, count: 1)  // a retry of a create that had landed
        } catch {
            logger.warning("failed to create an event", metadata: ["error": "\(error)", "reason": "\(pending.reason)"])
        }
    }

    /// The name of an Event about `reference` first written at `stamp` (nanoseconds since 1970).
    static func eventName(_ reference: EventObjectReference, stamp: UInt64) -> String {
        eventName(reference, suffix: String(format: "%016llx", stamp))
    }

    /// Remembers a written Event for aggregation, and forgets those out of the window.
    private func remember(_ key: Int, stamp: UInt64, count: Int) {
        let now = now()
        state.withLock { state in
            state.written[key] = (stamp, count, now)
            EventRecorder.prune(&state, now: now, burst: burst, refill: refill)
        }
    }

    /// What ``recordOnce(_:type:reason:message:key:)`` did.
    public enum RecordOutcome: Sendable, Equatable {
        /// This call wrote the Event.
        case created
        /// It was there already (an earlier attempt wrote it).
        case existed
        /// The API server refused it for good (forbidden, invalid); logged, and not worth holding a rollout for.
        case refused
    }

    /// Writes one Event now, named after `key` (what it records, for example the status transition it
    /// belongs to), retrying transient failures. Writing the same key again writes nothing.
    ///
    /// - Throws: a transient error (conflict, server error, rate limit, broken connection) that outlasted
    ///   the retries, or cancellation: the caller should try again later.
    public func recordOnce(
        _ reference: EventObjectReference, type: EventType, reason: String, message: String,
        key: String
    ) async throws -> RecordOutcome {
        let pending = Pending(reference: reference, type: type, reason: reason, message: message, at: now())
        let name = EventRecorder.eventName(reference, suffix: key)
        do {
            _ = try await retry.run { try await events.createReadingVersion(event(pending, name: name), namespace: reference.namespace ?? "default") }
            return .created
        } catch let error as KubeAPIError where error.isAlreadyExists {
            return .existed
        } catch let error as KubeAPIError where !RetryPolicy.isTransient(error) {
            // Forbidden, invalid…: the API server's answer for good. Anything else (transient, cancelled) throws.
            logger.warning("failed to create an event", metadata: ["error": "\(error)", "reason": "\(reason)", "event": "\(name)"])
            return .refused
        }
    }

    /// `<object>.<suffix>`, the object's name shortened so that the whole fits the 253 characters of a name.
    static func eventName(_ reference: EventObjectReference, suffix: String) -> String {
        "\(reference.name.prefix(252 - suffix.count)).\(suffix)"
    }

    /// The Event object; its message with credentials redacted (``Redaction``), whoever wrote it.
    private func event(_ pending: Pending, name: String) -> JSONValue {
        let namespace = pending.reference.namespace ?? "default"
        let time = KubeTime(pending.at).description
        return [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "involvedObject": involvedObject(pending.reference),
            "reason": .string(pending.reason), "message": .string(Redaction.scrub(pending.message)), "type": .string(pending.type.rawValue),
            "source": ["component": .string(component)], "reportingComponent": .string(component),
            "firstTimestamp": .string(time), "lastTimestamp": .string(time), "count": 1,
        ]
    }

    private func involvedObject(_ reference: EventObjectReference) -> JSONValue {
        var object: JSONValue = ["apiVersion": .string(reference.apiVersion), "kind": .string(reference.kind), "name": .string(reference.name)]
        object["namespace"] = reference.namespace.map(JSONValue.string)
        object["uid"] = reference.uid.map(JSONValue.string)
        return object
    }
}
