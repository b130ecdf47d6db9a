import Foundation
import KubeClient
import KubeCore
import Testing

@Suite struct WatchTests {
    static let lines = [
        #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}"#,
        #"{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"2"}}}"#,
        #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"5"}}}"#,
        #"{"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"6"}}}"#,
    ]

    static func collect(_ stream: WatchStream<DynamicObject>) async throws -> [String] {
        var seen: [String] = []
        for try await event in stream {
            switch event {
            case .added(let object): seen.append("added \(object.name!)@\(object.resourceVersion!)")
            case .modified(let object): seen.append("modified \(object.name!)@\(object.resourceVersion!)")
            case .deleted(let object): seen.append("deleted \(object.name!)@\(object.resourceVersion!)")
            case .bookmark(let version): seen.append("bookmark \(version)")
            case .skipped(let skip, let deleted): seen.append("skipped\(deleted ? " deleted" : "") \(skip.name)@\(skip.resourceVersion ?? "")")
            }
        }
        return seen
    }

    @Test func eventsSplitAcrossChunksAtAnyByteAreReassembled() async throws {
        let stream = WatchTests.lines.joined(separator: "\n") + "\n"
        // Cut the stream into pieces of 7 bytes, so lines and even UTF-8 sequences straddle chunks.
        let bytes = Array(stream.utf8)
        let chunks = stride(from: 0, to: bytes.count, by: 7).map { String(decoding: bytes[$0..<min($0 + 7, bytes.count)], as: UTF8.self) }
        let rejoined = chunks.joined()
        #expect(rejoined == stream)
        try await withTestServer(handler: { _ in CannedResponse(chunks: chunks, chunkDelay: .milliseconds(1)) }) { server in
            let seen = try await using(server.client()) { client in
                try await WatchTests.collect(
                    client.resource(.configMaps).watch(
                        namespace: "demo", options: WatchOptions(resourceVersion: "0", timeoutSeconds: 30)))
            }
            #expect(seen == ["added a@1", "modified a@2", "bookmark 5", "deleted a@6"])
            let request = try #require(await server.requests.first)
            #expect(request.path == "/api/v1/namespaces/demo/configmaps")
            #expect(request.parameters == ["watch": "true", "resourceVersion": "0", "allowWatchBookmarks": "true", "timeoutSeconds": "30"])
        }
    }

    /// `withoutManagedFields` on a watch and a list: the objects come without `metadata.managedFields`, and
    /// the parameter is not sent.
    @Test func aWatchAndAListWithoutManagedFieldsLeaveThemOut() async throws {
        let object = #"{"metadata":{"name":"a","resourceVersion":"1","managedFields":[{"manager":"m","fieldsV1":{"f:data":{}}}]},"data":{"k":"v"}}"#
        let list = #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"1"},"items":[\#(object)]}"#
        try await withTestServer(handler: { request in
            CannedResponse(chunks: [request.parameters["watch"] == "true" ? #"{"type":"ADDED","object":\#(object)}"# + "\n" : list])
        }) { server in
            try await using(server.client()) { client in
                var watchOptions = WatchOptions(resourceVersion: "0")
                watchOptions.withoutManagedFields = true
                var events = try await client.resource(.configMaps).watch(options: watchOptions).makeAsyncIterator()
                let first = try await events.next()
                guard case .added(let added) = first else {
                    Issue.record("no ADDED event: \(String(describing: first))")
                    return
                }
                #expect(added.json == ["metadata": ["name": "a", "resourceVersion": "1"], "data": ["k": "v"]])
                var listOptions = ListOptions()
                listOptions.withoutManagedFields = true
                let listed = try await client.resource(.configMaps).list(options: listOptions).items
                #expect(listed.map(\.json) == [added.json])
                let full = try await client.resource(.configMaps).list().items
                #expect(full.first?.json[path: "metadata", "managedFields"] != nil, "by default they are kept")
            }
            #expect(await server.requests.allSatisfy { $0.parameters["withoutManagedFields"] == nil })
        }
    }

    @Test func severalEventsInOneChunkAndALastLineWithoutNewline() async throws {
        try await withTestServer(handler: { _ in CannedResponse(chunks: [WatchTests.lines.joined(separator: "\n")]) }) { server in
            let seen = try await using(server.client()) { try await WatchTests.collect($0.resource(.configMaps).watch()) }
            #expect(seen.count == 4)
        }
    }

    @Test func anErrorEventIsThrownAsATypedGoneError() async throws {
        let error = #"{"type":"ERROR","object":\#(statusJSON(code: 410, reason: "Expired", message: "too old resource version: 1 (50)"))}"#
        try await withTestServer(handler: { _ in CannedResponse(chunks: [WatchTests.lines[0] + "\n", error + "\n"]) }) { server in
            let thrown = await #expect(throws: KubeAPIError.self) {
                try await using(server.client()) { client in
                    var iterator = try await client.resource(.configMaps).watch(options: WatchOptions(resourceVersion: "1"))
                        .makeAsyncIterator()
                    let first = try await iterator.next()
                    #expect(first?.object?.name == "a")
                    _ = try await iterator.next()
                }
            }
            #expect(thrown?.reason == .gone && thrown?.verb == "WATCH")
        }
    }

    @Test func aWatchRefusedUpFrontThrowsBeforeStreaming() async throws {
        try await withTestServer(handler: { _ in .json(statusJSON(code: 403, reason: "Forbidden"), status: 403) }) { server in
            let thrown = await #expect(throws: KubeAPIError.self) {
                try await using(server.client()) { _ = try await $0.resource(.secrets).watch(namespace: "x") }
            }
            #expect(thrown?.reason == .forbidden)
        }
    }

    @Test func anUnknownEventTypeIsADecodingError() async throws {
        try await withTestServer(handler: { _ in CannedResponse(chunks: [#"{"type":"SURPRISE","object":{}}"# + "\n"]) }) { server in
            let thrown = await #expect(throws: KubeClientError.self) {
                try await using(server.client()) { _ = try await WatchTests.collect($0.resource(.configMaps).watch()) }
            }
            #expect(thrown?.description.contains("unknown watch event type \"SURPRISE\"") == true)
        }
    }
}
