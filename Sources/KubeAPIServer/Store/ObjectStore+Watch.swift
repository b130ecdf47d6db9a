import DequeModule
import Foundation
import KubeCore

/// One event as a watcher sees it.
public struct WatchEventOut: Sendable {
    public var type: String
    public var object: JSONValue
}

/// A registered watch.
struct WatchSubscription: Sendable {
    var key: StorageKey
    var namespace: String?
    var labels: LabelSelectorQuery?
    var fields: FieldSelector?
    var continuation: AsyncStream<WatchEventOut>.Continuation
}

extension ObjectStore {
    /// The most events a slow watcher may have queued before it is cut off (it then relists, as with a real
    /// API server that drops slow watchers).
    static let watcherBuffer = 100_000

    /// Starts a watch.
    ///
    /// - Parameter resourceVersion: `nil`, empty or `"0"` sends the current objects as `ADDED` first; any other
    ///   revision replays the changes after it, or throws 410 Gone when they are no longer kept.
    public func watch(
        _ type: ResourceType, namespace: String?, labelSelector: LabelSelectorQuery? = nil, fieldSelector: FieldSelector? = nil,
        resourceVersion: String? = nil
    ) throws(APIError) -> (stream: AsyncStream<WatchEventOut>, id: Int) {
        let namespace = scoped(type, namespace)
        var replay: [WatchEventOut] = []
        if let text = resourceVersion, !text.isEmpty, text != "0" {
            guard let start = Int64(text) else { throw APIError.badRequest("invalid resourceVersion \"\(text)\"") }
            guard start >= oldestResumableRevision - 1 else {
                throw APIError.gone("too old resource version: \(start) (\(oldestResumableRevision - 1))")
            }
            for event in history where event.revision > start && event.key == type.storageKey {
                if let visible = visibleEvent(event, namespace: namespace, labelSelector, fieldSelector) { replay.append(visible) }
            }
        } else {
            let page = try list(type, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector)
            replay = page.items.map { WatchEventOut(type: "ADDED", object: $0) }
        }
        let (stream, continuation) = AsyncStream.makeStream(of: WatchEventOut.self, bufferingPolicy: .bufferingOldest(ObjectStore.watcherBuffer))
        for event in replay { continuation.yield(event) }
        let id = nextWatcherID
        nextWatcherID += 1
        watchers[id] = WatchSubscription(
            key: type.storageKey, namespace: namespace, labels: labelSelector, fields: fieldSelector, continuation: continuation)
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            Task { await self.stopWatch(id) }  // bridges the stream's synchronous termination callback
        }
        return (stream, id)
    }

    /// Ends a watch.
    public func stopWatch(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Ends every watch (a fault: clients must resume).
    public func closeAllWatches() {
        for id in watchers.keys { stopWatch(id) }
    }

    /// Forgets the change history, so every resume from an earlier revision gets 410 Gone (a fault).
    public func compactHistory() {
        history.removeAll()
        oldestResumableRevision = revision + 1
    }

    /// The number of open watches.
    public var watchCount: Int { watchers.count }

    /// The current global revision.
    public var currentRevision: Int64 { revision }

    func publish(_ type: ResourceType, _ eventType: String, _ object: JSONValue, previous: JSONValue?) {
        let event = StoredEvent(
            revision: revision, key: type.storageKey, type: eventType, object: object, previous: previous)
        history.append(event)
        while history.count > historyLimit {
            let dropped = history.removeFirst()
            oldestResumableRevision = dropped.revision + 1
        }
        for (id, watcher) in watchers where watcher.key == type.storageKey {
            guard let visible = visibleEvent(event, namespace: watcher.namespace, watcher.labels, watcher.fields) else { continue }
            if case .dropped = watcher.continuation.yield(visible) { stopWatch(id) }
        }
        for observer in observers { observer(eventType, type, object) }
    }

    /// What a watcher with these filters sees of an event: an update that moves an object into its selector
    /// is an ADDED, one that moves it out is a DELETED, as the API server does.
    private func visibleEvent(
        _ event: StoredEvent, namespace: String?, _ labels: LabelSelectorQuery?, _ fields: FieldSelector?
    )
        -> WatchEventOut?
    {
        if let namespace, event.object[path: "metadata", "namespace"]?.stringValue != namespace { return nil }
        let now = matches(event.object, labels, fields)
        guard event.type == "MODIFIED", let previous = event.previous else {
            return now ? WatchEventOut(type: event.type, object: event.object) : nil
        }
        let before = matches(previous, labels, fields)
        switch (before, now) {
        case (true, true): return WatchEventOut(type: "MODIFIED", object: event.object)
        case (false, true): return WatchEventOut(type: "ADDED", object: event.object)
        case (true, false): return WatchEventOut(type: "DELETED", object: event.object)
        case (false, false): return nil
        }
    }
}
