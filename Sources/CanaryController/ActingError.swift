import KubeClient
import KubeRuntime
import Routers
import Targets

/// A step of a reconcile that failed: "failed to <step>: <cause>".
struct ActingError: Error, CustomStringConvertible {
    var step: String
    var cause: any Error

    var description: String { "failed to \(step): \(cause)" }

    /// Whether waiting cannot help: the API server refused the object as invalid, another controller owns
    /// it, the target cannot be used, or an object the Canary names for its router is missing or unusable.
    /// Everything else (conflicts, server errors, rate limits, a connection lost, RBAC being fixed) is retried.
    var isTerminal: Bool {
        switch cause {
        case is OwnershipError: true
        case let error as TargetError: error.terminal
        case let error as RouterError: error.terminal
        case let error as KubeAPIError: error.reason == .invalid || error.reason == .badRequest
        default: false
        }
    }
}

/// Runs one step of acting, naming it in the error it throws (an ``ActingError`` or cancellation passes as is).
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

/// Why a Canary cannot be reconciled as it is: shown as `Valid=False` with `reason` and a Warning event
/// naming `message`; the Canary waits for a change.
struct InvalidCanary: Error, CustomStringConvertible {
    var reason: String
    var message: String
    var description: String { message }
}
