import KubeCore

/// What a ``Watcher`` reports.
///
/// A (re)list is reported as ``initStarted``, one ``initApply(_:)`` per object, then ``initDone``: a cache
/// buffers the `initApply` objects and swaps them in at `initDone`, so it is never half-empty.
public enum WatcherEvent<Object: Sendable>: Sendable {
    /// A list begins (at start, or after the watch could not be resumed).
    case initStarted
    /// An object of the list.
    case initApply(Object)
    /// The list is complete.
    case initDone
    /// An object was added or changed.
    case apply(Object)
    /// An object was deleted (its last known state).
    case delete(Object)
    /// An object could not be decoded: added or changed (`deleted: false`, during a list or a watch) or
    /// deleted. A cache drops any older state of it and names it in ``ObjectCache/skipped``.
    case skipped(SkippedObject, deleted: Bool)
}

extension WatcherEvent {
    /// The event with `transform` applied to its object.
    func map(_ transform: (Object) -> Object) -> WatcherEvent {
        switch self {
        case .initApply(let object): return .initApply(transform(object))
        case .apply(let object): return .apply(transform(object))
        case .delete(let object): return .delete(transform(object))
        case .initStarted, .initDone, .skipped: return self
        }
    }
}

/// How a ``Watcher`` lists and watches.
public struct WatcherConfig: Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// The page size of lists (client-go's informers use 500).
    public var pageSize: Int = 500
    /// Ask the server to end each watch after this long; the watcher then resumes where it was.
    public var timeoutSeconds: Int = 290
    /// Ask for bookmarks, so a resume after a quiet period does not replay or hit 410.
    public var bookmarks = true
    /// The back-off between failed attempts; it resets after a success and never gives up.
    public var backoff = Backoff(initial: .milliseconds(800), maximum: .seconds(30), jitter: 0.1)
    /// Leave `metadata.managedFields` out of every object as it is parsed (``ListOptions/withoutManagedFields``):
    /// for a cache whose transform drops them anyway (``CacheTransform/dropBookkeeping(_:)``).
    public var withoutManagedFields = false

    public init(labelSelector: String? = nil, fieldSelector: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }
}
