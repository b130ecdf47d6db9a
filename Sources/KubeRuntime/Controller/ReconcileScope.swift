import KubeCore

/// The key whose reconcile the current task is running, for what must know on whose behalf it acts (a
/// shard's write fence, an Event written later on the reconcile's behalf).
///
/// The controller binds it around every reconcile; outside a reconcile it is `nil`.
public enum ReconcileScope {
    @TaskLocal public static var key: ObjectKey?
}
