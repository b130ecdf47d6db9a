import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
import NIOCore

extension APIServer {
    /// Streams watch events as JSON lines, with periodic bookmarks and an end after `timeoutSeconds`.
    func watch(_ type: ResourceType, path: RequestTarget.ResourcePath, query: QueryParameters, table: Bool) async throws -> Response {
        if APIServer.answersProtobuf {
            throw APIError(
                status: KubeStatus(
                    code: 406, reason: "NotAcceptable",
                    message: "the sandbox streams watch events as JSON only; accept application/json"))
        }
        let labelSelector = try labels(query)
        let fieldSelector = try fields(query)
        let result = await store.watchResult(
            type, namespace: path.namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
            resourceVersion: query["resourceVersion"])
        let subscription: (stream: AsyncStream<WatchEventOut>, id: Int)
        switch result {
        case .success(let started): subscription = started
        case .failure(let error) where error.code == 410:
            // The API server answers an expired resource version with 200 and a single ERROR event.
            let status = (try? JSONValue(encoding: error.status)) ?? .null
            let line: JSONValue = ["type": "ERROR", "object": status]
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: line.serialized() + [0x0A])))
        case .failure(let error): throw error
        }
        let bookmarks = query.flag("allowWatchBookmarks") ? bookmarkInterval : nil
        let timeout = query["timeoutSeconds"].flatMap(Int.init).map { Duration.seconds($0) }
        let store = self.store
        let id = subscription.id
        let body = ResponseBody { writer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let bookmarks {
                    group.addTask {
                        while true {
                            try await Task.sleep(for: bookmarks)
                            await store.bookmark(watcher: id, kind: type.resource.kind, apiVersion: type.resource.apiVersion)
                        }
                    }
                }
                if let timeout {
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        await store.stopWatch(id)
                    }
                }
                var headers = true
                for await event in subscription.stream {
                    var object = event.type == "BOOKMARK" ? event.object : self.output(type, event.object)
                    if table, event.type != "BOOKMARK" {
                        object = TableConverter.table(
                            type, objects: [object], resourceVersion: object[path: "metadata", "resourceVersion"]?.stringValue,
                            includeObject: query["includeObject"], headers: headers, now: Date())
                        headers = false
                    }
                    let line: JSONValue = ["type": .string(event.type), "object": object]
                    try await writer.write(ByteBuffer(bytes: line.serialized() + [0x0A]))
                }
                group.cancelAll()
                try await writer.finish(nil)
            }
        }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.transferEncoding] = "chunked"
        return Response(status: .ok, headers: fields, body: body)
    }
}

extension ObjectStore {
    func watchResult(
        _ type: ResourceType, namespace: String?, labelSelector: LabelSelectorQuery?, fieldSelector: FieldSelector?, resourceVersion: String?
    ) -> Result<(stream: AsyncStream<WatchEventOut>, id: Int), APIError> {
        do {
            return .success(
                try watch(
                    type, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                    resourceVersion: resourceVersion))
        } catch {
            return .failure(error)
        }
    }

    /// Sends a BOOKMARK at the current revision to one watcher, in order with its other events.
    func bookmark(watcher id: Int, kind: String, apiVersion: String) {
        guard let watcher = watchers[id] else { return }
        watcher.continuation.yield(
            WatchEventOut(
                type: "BOOKMARK",
                object: [
                    "kind": .string(kind), "apiVersion": .string(apiVersion), "metadata": ["resourceVersion": .string(String(revision))],
                ]))
    }
}
