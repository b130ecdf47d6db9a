import Alerting
import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// Records what reconciles decide and why a Canary cannot be reconciled: the status through the status
/// subresource, the `Valid` condition, the Warning events of failures and the handled request's removal.
///
/// It remembers its own writes: a reconcile never decides from a cache that has not seen the last status
/// written, and a status whose write failed after its step acted is written by the next reconcile instead
/// of the step being taken again.
struct CanaryStatusRecorder: Sendable {
    let canaries: ResourceClient<JSONValue>
    let events: EventRecorder
    let alerts: OperatorAlerts
    let clock: OperatorClock
    let written = WrittenVersions()
    let unwritten = UnwrittenStatuses()
    /// Retries of the status write (conflicts, server errors, rate limits).
    let retry = RetryPolicy()

    /// The condition Serin adds next to Flagger's `Promoted`: whether the spec and its references can be used.
    static let validCondition = "Valid"

    /// Whether the cached Canary is older than our last status write: its watch event (an echo not dropped,
    /// since nothing is scheduled) triggers the next reconcile.
    func isStale(_ key: ObjectKey, cachedVersion: String?) -> Bool { written.isStale(key, cachedVersion: cachedVersion) }

    /// Drops the last written version of a Canary that is gone, so a fleet's churn does not pile up.
    func forget(_ key: ObjectKey) { written.forget(key) }

    /// The status a step acted on but could not write, when the Canary still has the status it started from.
    func unwrittenStatus(_ key: ObjectKey, current: CanaryStatus?) -> CanaryStatus? { unwritten.take(key, current: current) }

    /// Writes the status through the status subresource: one merge patch of the whole status, with `null`
    /// for what the stored status had and no longer has (a cookie of the last analysis, a config no longer
    /// used), so the same patch again changes nothing; retried on conflicts, server errors and rate limits.
    /// When it still fails, the status is remembered so the next reconcile writes it instead of taking the
    /// step again.
    ///
    /// - Parameters:
    ///   - previous: the status the step started from (`canary.status`).
    ///   - stored: that status as the cached object holds it (`object.json["status"]`): the members to
    ///     remove are read from it, so a status is encoded once per write, not twice.
    func write(_ status: CanaryStatus, of canary: Canary, from previous: CanaryStatus?, stored: JSONValue?) async throws {
        let key = ObjectKey(namespace: canary.namespace, name: canary.metadata.name ?? "")
        // Credentials in messages and the journal (a URL with a password in a failed check) never reach the API.
        let json = Redaction.scrub(try JSONValue(encoding: status)).replacing(stored)
        do {
            // The answer (the whole Canary, its journal included) is read for its resourceVersion alone.
            let version = try await retry.run {
                try await canaries.patchReadingVersion(
                    canary.metadata.name ?? "", namespace: canary.namespace, patch: .merge(["status": json]),
                    subresource: "status")
            }
            written.record(key, resourceVersion: version)
        } catch {
            unwritten.remember(key, from: previous, to: status)
            throw StatusWriteError(canary: canary.dottedName, cause: error)
        }
    }

    /// The status of a step that acted could not be written.
    struct StatusWriteError: Error, CustomStringConvertible {
        var canary: String
        var cause: any Error
        var description: String { "failed to write the status of canary \(canary): \(cause)" }
    }

    /// Shows why a Canary cannot be reconciled: a `Valid=False` condition and a Warning event naming the
    /// problem (`event`, else "invalid canary spec: <message>"), and an alert when the condition is new.
    func markInvalid(_ object: DynamicObject, reason: String, message unsafe: String, event: String? = nil) async throws {
        // Redacted before it is compared with the stored condition, which was redacted when written.
        let message = Redaction.scrub(unsafe)
        var status = (try? object.json["status"]?.decode(as: CanaryStatus.self)) ?? CanaryStatus()
        let before = status
        if status.phase == nil { status.phase = .initializing }
        status.conditions = CanaryStatusRecorder.withValid(status.conditions, valid: false, message: message, reason: reason, now: clock.date)
        let reference = EventObjectReference(
            apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, namespace: object.namespace,
            name: object.name ?? "", uid: object.uid)
        events.record(reference, type: .warning, reason: "Synced", message: event ?? "invalid canary spec: \(message)")
        guard status != before else { return }
        let json = try JSONValue(encoding: status)
        let version = try await retry.run {
            try await canaries.patchReadingVersion(
                object.name ?? "", namespace: object.namespace, patch: .merge(["status": json]), subresource: "status")
        }
        written.record(ObjectKey(object), resourceVersion: version)
        alerts.postInvalid(message, canary: CanaryStatusRecorder.alertable(object))
    }

    /// The Canary to route an invalid Canary's alert by: the object as a Canary, or (when it cannot be read
    /// as one) its metadata alone, which alerts through the global providers.
    static func alertable(_ object: DynamicObject) -> Canary {
        do { return try object.json.decode(as: Canary.self) } catch { return Canary(metadata: object.metadata, spec: CanarySpec()) }
    }

    /// The conditions with `Valid` set; a `True` one is only added when it replaces a `False` one.
    static func withValid(
        _ conditions: [CanaryCondition]?, valid: Bool, message: String, reason: String = "Valid", now: Date
    )
        -> [CanaryCondition]?
    {
        let existing = conditions?.first { $0.type == validCondition }
        if valid && existing == nil { return conditions }
        let status = valid ? "True" : "False"
        if existing?.status == status && existing?.message == (valid ? "The canary spec is valid." : message) { return conditions }
        let stamp = KubeTime(now).description
        let condition = CanaryCondition(
            type: validCondition, status: status, reason: valid ? "Valid" : reason,
            message: valid ? "The canary spec is valid." : message, lastUpdateTime: stamp,
            lastTransitionTime: existing?.status == status ? existing?.lastTransitionTime : stamp)
        return (conditions ?? []).filter { $0.type != validCondition } + [condition]
    }

    /// Shows a failure on the Canary. A terminal one is a `Valid=False` condition and a Warning event, and
    /// the Canary waits for a change (to it, or to an object it owns or names); a retryable one is a
    /// Warning event (aggregated and rate-limited by the recorder) and is thrown again for back-off.
    func report(_ failure: ActingError, object: DynamicObject) async throws -> ReconcileAction {
        if failure.isTerminal {
            let message = failure.description + failure.canaryFieldsNote
            try await markInvalid(object, reason: "ReconcileFailed", message: message, event: message)
            return .awaitChange
        }
        let reference = EventObjectReference(
            apiVersion: Canary.resource.apiVersion, kind: Canary.resource.kind, namespace: object.namespace,
            name: object.name ?? "", uid: object.uid)
        events.record(reference, type: .warning, reason: "Synced", message: "\(failure.description) (retrying)")
        throw failure
    }
}
