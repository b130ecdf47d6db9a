import KubeClient
import KubeCore
import Logging

extension Watcher.Iterator {
    /// Performs one step from the current state: one list page, one watch start, or one watch event.
    mutating func step() async {
        switch state {
        case .empty: await list(continueToken: nil)
        case .listing(let token): await list(continueToken: token)
        case .listed(let version): await startWatch(from: version)
        case .watching(let version, var events): await nextEvent(from: &events, version: version)
        }
    }

    private mutating func list(continueToken: String?) async {
        do {
            var options = ListOptions(
                labelSelector: watcher.config.labelSelector, fieldSelector: watcher.config.fieldSelector,
                limit: watcher.config.pageSize, continue: continueToken)
            options.withoutManagedFields = watcher.config.withoutManagedFields
            let page = try await watcher.resource.list(namespace: watcher.namespace, options: options)
            if continueToken == nil { pending.append(.initStarted) }
            pending.append(contentsOf: page.items.map { .initApply($0) })
            pending.append(contentsOf: page.skipped.map { .skipped($0, deleted: false) })
            for skip in page.skipped { logSkipped(skip) }
            if let next = page.metadata.continue, !next.isEmpty {
                state = .listing(continueToken: next)
            } else {
                pending.append(.initDone)
                state = .listed(resourceVersion: page.metadata.resourceVersion ?? "")
                backoff.reset()
            }
        } catch {
            // A failed page (including an expired continue token) restarts the whole list.
            state = .empty
            pending.removeAll()
            await restart(reason: "list", error: error)
        }
    }

    private mutating func startWatch(from version: String) async {
        do {
            var options = WatchOptions(
                labelSelector: watcher.config.labelSelector, fieldSelector: watcher.config.fieldSelector,
                resourceVersion: version, allowWatchBookmarks: watcher.config.bookmarks,
                timeoutSeconds: watcher.config.timeoutSeconds)
            options.withoutManagedFields = watcher.config.withoutManagedFields
            let stream = try await watcher.resource.watch(namespace: watcher.namespace, options: options)
            state = .watching(resourceVersion: version, events: stream.makeAsyncIterator())
        } catch let error as KubeAPIError where error.isGone {
            state = .empty
            await restart(reason: "gone", error: error, wait: false)
        } catch {
            await restart(reason: "watch_start", error: error)
        }
    }

    private mutating func nextEvent(from events: inout WatchStream<Object>.Iterator, version: String) async {
        do {
            guard let event = try await events.next() else {
                // The server ended the watch (timeout or closed connection): resume where we were.
                state = .listed(resourceVersion: version)
                return
            }
            backoff.reset()
            var current = version
            switch event {
            case .added(let object), .modified(let object):
                current = Watcher<Object>.resourceVersion(of: object) ?? version
                pending.append(.apply(object))
            case .deleted(let object):
                current = Watcher<Object>.resourceVersion(of: object) ?? version
                pending.append(.delete(object))
            case .bookmark(let bookmark):
                current = bookmark.isEmpty ? version : bookmark
            case .skipped(let skip, let deleted):
                // Resume after it: an unreadable object must never pin the watch to the revision before it.
                current = skip.resourceVersion ?? version
                pending.append(.skipped(skip, deleted: deleted))
                if !deleted { logSkipped(skip) }
            }
            state = .watching(resourceVersion: current, events: events)
        } catch let error as KubeAPIError where error.isGone {
            state = .empty
            await restart(reason: "gone", error: error, wait: false)
        } catch {
            state = .listed(resourceVersion: version)
            await restart(reason: "watch", error: error)
        }
    }

    private func logSkipped(_ skip: SkippedObject) {
        watcher.metrics.objectSkipped(resource: "\(watcher.resource.resource)")
        watcher.logger.warning(
            "skipped an object that cannot be decoded", metadata: ["object": "\(skip.namespace ?? "")/\(skip.name)", "error": "\(skip.reason)"])
    }

    /// Logs and counts a restart, then waits the back-off (unless the restart is a plain relist).
    private mutating func restart(reason: String, error: any Error, wait: Bool = true) async {
        if Task.isCancelled { return }  // shutting down: the failure is ours, not the server's
        watcher.metrics.watchRestart(resource: "\(watcher.resource.resource)", reason: reason)
        guard wait else {
            watcher.logger.info("watch expired; relisting", metadata: ["reason": "\(reason)", "error": "\(error)"])
            return
        }
        let delay = backoff.nextDelay()
        watcher.logger.warning(
            "watch failed; retrying",
            metadata: ["reason": "\(reason)", "error": "\(error)", "retryIn": "\(delay)", "failures": "\(backoff.consecutiveFailures)"])
        do { try await watcher.sleep(delay) } catch { return }  // cancelled: next() returns nil
    }
}

extension Watcher {
    static func resourceVersion(of object: Object) -> String? {
        if let object = object as? any KubeObject { return object.resourceVersion }
        if let json = object as? JSONValue { return json[path: "metadata", "resourceVersion"]?.stringValue }
        return nil
    }
}
