import Logging

/// What to reconcile: only a key. The reconciler reads the current state from caches, never from the event
/// that triggered it.
///
/// Reconciliation is *level-based*: a reconcile looks at the whole current state and moves it towards the
/// desired state, so missing or coalescing events does no harm, and any reconcile can be repeated safely.
public typealias ReconcileRequest = ObjectKey

/// What to do after a successful reconcile.
public enum ReconcileAction: Sendable, Equatable {
    /// Nothing until something changes (an event on the object or a related one).
    case awaitChange
    /// Reconcile again after this long even if nothing changes (analysis intervals, polling external state).
    case requeue(after: Duration)
    /// Reconcile again after `requeueAfter` (never, when `nil`) or when something changes, except that a
    /// change of a related object's status alone, from a watch with ``StatusChanges/waitForTime``, waits
    /// until then: the reconcile waits for time, not for that object (a workload becoming ready while the
    /// next analysis step is scheduled).
    case quiet(requeueAfter: Duration?)
}

/// What a reconcile knows about itself.
public struct ReconcileContext: Sendable {
    /// A short random ID carried by every log line of this reconcile.
    public let reconcileID: String
    /// A logger with `reconcileID` and `controller` metadata.
    public let logger: Logger

    /// A context for calling a reconciler directly (tests, tools).
    public init(reconcileID: String, logger: Logger) {
        self.reconcileID = reconcileID
        self.logger = logger
    }
}

/// Reconciles one key. Implementations must be safe to call for any key at any time.
///
/// ## Errors
/// A thrown error is retried with per-key exponential back-off, unless it is a ``TerminalError`` (logged,
/// not retried until the object changes).
public protocol Reconciler: Sendable {
    func reconcile(_ request: ReconcileRequest, context: ReconcileContext) async throws -> ReconcileAction
}

/// A reconciler from a closure.
public struct ReconcilerFunction: Reconciler {
    let body: @Sendable (ReconcileRequest, ReconcileContext) async throws -> ReconcileAction

    public init(_ body: @escaping @Sendable (ReconcileRequest, ReconcileContext) async throws -> ReconcileAction) {
        self.body = body
    }

    public func reconcile(_ request: ReconcileRequest, context: ReconcileContext) async throws -> ReconcileAction {
        try await body(request, context)
    }
}

/// An error that retrying cannot fix (invalid spec, missing reference): not retried until the object changes.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public let underlying: any Error
    public init(_ underlying: any Error) { self.underlying = underlying }
    public var description: String { "\(underlying)" }
}
