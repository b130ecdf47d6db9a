import CanaryAPI
import KubeClient
import KubeCore
import KubeRuntime
import Routers
import Targets

/// A step of a reconcile that failed: "failed to <step>: <cause>".
struct ActingError: Error, CustomStringConvertible {
    var step: String
    var cause: any Error

    var description: String { "failed to \(step): \(cause)" }

    /// Whether waiting cannot help: the API server refused the object as invalid, another controller owns
    /// it, the target cannot be used, or an object the Canary names for its router is missing or unusable. Everything else (conflicts, server errors, rate limits, a
    /// connection lost, RBAC being fixed) is retried.
    var isTerminal: Bool {
        switch cause {
        case is OwnershipError, is TargetError: true
        case let error as RouterError: error.terminal
        case let error as KubeAPIError: error.reason == .invalid || error.reason == .badRequest
        default: false
        }
    }
}

extension CanaryReconciler {
    /// Runs one step of acting, naming it in the error it throws.
    func acting<T>(_ step: @autoclosure () -> String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ActingError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ActingError(step: step(), cause: error)
        }
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
