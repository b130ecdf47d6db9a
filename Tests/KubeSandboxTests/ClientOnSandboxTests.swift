import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

func configMap(_ name: String, namespace: String = "default", data: JSONValue = [:], labels: JSONValue? = nil) -> DynamicObject {
    var json: JSONValue = [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)], "data": data,
    ]
    if let labels { json[path: "metadata", "labels"] = labels }
    return DynamicObject(json: json)
}

/// The same operations as the kubectl tests, through Serin's own client.
@Suite struct ClientOnSandboxTests {
    @Test func createGetUpdateWithOptimisticConcurrency() async throws {
        try await withSandbox { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let created = try await maps.create(configMap("a", data: ["k": "1"]), namespace: "default")
            #expect(created.uid != nil && created.resourceVersion != nil)
            var changed = created
            changed.json["data"] = ["k": "2"]
            let updated = try await maps.update(changed, name: "a", namespace: "default")
            #expect(updated.json["data"] == ["k": "2"])
            let stale = await #expect(throws: KubeAPIError.self) { try await maps.update(changed, name: "a", namespace: "default") }
            #expect(stale?.reason == .conflict)
            let duplicate = await #expect(throws: KubeAPIError.self) { try await maps.create(configMap("a"), namespace: "default") }
            #expect(duplicate?.reason == .alreadyExists)
            let missing = await #expect(throws: KubeAPIError.self) { try await maps.get("nope", namespace: "default") }
            #expect(missing?.reason == .notFound)
            let invalid = await #expect(throws: KubeAPIError.self) { try await maps.create(configMap("Bad_Name"), namespace: "default") }
            #expect(invalid?.reason == .invalid && invalid?.causes.first?.field == "metadata.name")
        }
    }

    @Test func listWithSelectorsAndPaging() async throws {
        try await withSandbox { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            for index in 0..<7 {
                _ = try await maps.create(configMap("m\(index)", labels: ["tier": index % 2 == 0 ? "even" : "odd"]), namespace: "default")
            }
            let page = try await maps.list(namespace: "default", options: ListOptions(labelSelector: "tier=even", limit: 2))
            #expect(page.items.count == 2 && page.metadata.continue != nil)
            let all = try await maps.listAll(namespace: "default", options: ListOptions(labelSelector: "tier in (even)", limit: 2))
            #expect(all.items.compactMap(\.name) == ["m0", "m2", "m4", "m6"])
            let byName = try await maps.list(namespace: "default", options: ListOptions(fieldSelector: "metadata.name=m3"))
            #expect(byName.items.compactMap(\.name) == ["m3"])
        }
    }

    @Test func everyPageAnswersWithTheFirstPagesRevisionSoAWatchFromItMissesNothing() async throws {
        try await withSandbox { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            for name in ["b", "c", "d"] { _ = try await maps.create(configMap(name), namespace: "default") }
            let first = try await maps.list(namespace: "default", options: ListOptions(limit: 2))
            _ = try await maps.create(configMap("a"), namespace: "default")  // sorts before the pages already served
            let last = try await maps.list(namespace: "default", options: ListOptions(limit: 2, continue: first.metadata.continue))
            #expect(first.items.compactMap(\.name) + last.items.compactMap(\.name) == ["b", "c", "d"])
            #expect(last.metadata.resourceVersion == first.metadata.resourceVersion, "the list's resourceVersion is the first page's")
            let events = try await maps.watch(
                namespace: "default", options: WatchOptions(resourceVersion: last.metadata.resourceVersion, timeoutSeconds: 1))
            var added: [String] = []
            for try await event in events {
                if case .added(let object) = event { added.append(object.name ?? "") }
                if !added.isEmpty { break }
            }
            #expect(added == ["a"], "the watch from the list's resourceVersion delivers what the pages missed")
        }
    }

    @Test func everyPatchKindAndTheStatusAndScaleSubresources() async throws {
        var options = Sandbox.Options()
        options.simulateWorkloads = false  // the test writes the status itself; the simulator would race it
        try await withSandbox(options) { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let deployments = client.resource(.deployments)
            let spec: JSONValue = [
                "replicas": 1, "selector": ["matchLabels": ["app": "a"]],
                "template": ["metadata": ["labels": ["app": "a"]], "spec": ["containers": [["name": "c", "image": "i:1"]]]],
            ]
            _ = try await deployments.create(DynamicObject(json: ["metadata": ["name": "a"], "spec": spec]), namespace: "default")
            _ = try await deployments.patch("a", namespace: "default", patch: .merge(["metadata": ["labels": ["x": "1"]]]))
            _ = try await deployments.patch("a", namespace: "default", patch: .json([JSONPatchOperation(.replace, path: "/spec/replicas", value: 3)]))
            _ = try await deployments.patch(
                "a", namespace: "default",
                patch: .strategicMerge(
                    ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "i:2"]]]]]]))
            let applied = try await deployments.patch(
                "a", namespace: "default",
                patch: .apply(
                    ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "a", "annotations": ["owner": "serin"]]],
                    fieldManager: "serin", force: true))
            #expect(applied.json[path: "metadata", "labels", "x"] == "1")
            #expect(applied.json[path: "spec", "replicas"] == 3)
            #expect(applied.json[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "i:2")
            #expect(applied.json[path: "metadata", "annotations", "owner"] == "serin")
            #expect(applied.json[path: "metadata", "managedFields"]?[0]?["manager"] == "serin")

            let generation = applied.json[path: "metadata", "generation"]
            let status = try await deployments.patch(
                "a", namespace: "default", patch: .merge(["status": ["observedGeneration": 99]]), subresource: "status")
            #expect(status.json[path: "status", "observedGeneration"] == 99)
            #expect(status.json[path: "metadata", "generation"] == generation, "a status write does not touch the spec's generation")
            let ignored = try await deployments.patch("a", namespace: "default", patch: .merge(["status": ["observedGeneration": 1]]))
            #expect(ignored.json[path: "status", "observedGeneration"] == 99, "the main resource ignores status")

            let scale = try await client.resource(.deployments, as: JSONValue.self)
                .patch("a", namespace: "default", patch: .merge(["spec": ["replicas": 5]]), subresource: "scale")
            #expect(scale["kind"] == "Scale" && scale[path: "spec", "replicas"] == 5)
            #expect(try await deployments.get("a", namespace: "default").json[path: "spec", "replicas"] == 5)
        }
    }

    @Test func deleteWithPreconditionsAndFinalizers() async throws {
        try await withSandbox { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            var held = configMap("held")
            held.json[path: "metadata", "finalizers"] = ["example.com/x"]
            let created = try await maps.create(held, namespace: "default")
            let wrong = await #expect(throws: KubeAPIError.self) {
                try await maps.delete("held", namespace: "default", options: DeleteOptions(preconditionUID: "not-the-uid"))
            }
            #expect(wrong?.reason == .conflict)
            let kept = try await maps.delete("held", namespace: "default", options: DeleteOptions(preconditionUID: created.uid))
            #expect(kept?.json[path: "metadata", "deletionTimestamp"] != nil)
            _ = try await maps.patch(
                "held", namespace: "default",
                patch: .json([
                    JSONPatchOperation(.test, path: "/metadata/finalizers/0", value: "example.com/x"),
                    JSONPatchOperation(.remove, path: "/metadata/finalizers/0"),
                ]))
            await #expect(throws: KubeAPIError.self) { try await maps.get("held", namespace: "default") }
        }
    }

    @Test func watchSeesChangesInOrderWithBookmarks() async throws {
        var options = Sandbox.Options()
        options.bookmarkInterval = .milliseconds(100)
        try await withSandbox(options) { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let start = try await maps.list(namespace: "default").metadata.resourceVersion
            // The server-side timeout is only a safety bound: the loop ends once it has seen what it expects.
            let stream = try await maps.watch(namespace: "default", options: WatchOptions(resourceVersion: start, timeoutSeconds: 60))
            _ = try await maps.create(configMap("w"), namespace: "default")
            _ = try await maps.patch("w", namespace: "default", patch: .merge(["data": ["a": "b"]]))
            try await maps.delete("w", namespace: "default")
            var seen: [String] = []
            var bookmarks = 0
            for try await event in stream {
                switch event {
                case .added: seen.append("added")
                case .modified: seen.append("modified")
                case .deleted: seen.append("deleted")
                case .bookmark: bookmarks += 1
                case .skipped: seen.append("skipped")
                }
                if seen.count == 3 && bookmarks >= 3 { break }
            }
            #expect(seen == ["added", "modified", "deleted"])
            #expect(bookmarks >= 3, "bookmarks keep coming every 100 ms")
        }
    }

    @Test func aDroppedWatchResumesWithoutLosingOrRepeatingEvents() async throws {
        try await withSandbox { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            var version = try await maps.list(namespace: "default").metadata.resourceVersion ?? "0"
            var names: [String] = []
            let first = try await maps.watch(namespace: "default", options: WatchOptions(resourceVersion: version))
            _ = try await maps.create(configMap("one"), namespace: "default")
            for try await event in first {
                names.append(event.object?.name ?? "")
                version = event.object?.resourceVersion ?? version
                await sandbox.store.closeAllWatches()  // the connection drops mid-stream
            }
            _ = try await maps.create(configMap("two"), namespace: "default")
            _ = try await maps.create(configMap("three"), namespace: "default")
            let resumed = try await maps.watch(namespace: "default", options: WatchOptions(resourceVersion: version, timeoutSeconds: 1))
            for try await event in resumed { if let name = event.object?.name { names.append(name) } }
            #expect(names == ["one", "two", "three"])
        }
    }

    @Test func aResumeFromCompactedHistoryIsGone() async throws {
        try await withSandbox { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let old = try await maps.list(namespace: "default").metadata.resourceVersion ?? "0"
            _ = try await maps.create(configMap("x"), namespace: "default")
            await sandbox.store.compactHistory()
            let error = await #expect(throws: KubeAPIError.self) {
                for try await _ in try await maps.watch(namespace: "default", options: WatchOptions(resourceVersion: old)) {}
            }
            #expect(error?.reason == .gone)
            let relisted = try await maps.list(namespace: "default")
            #expect(relisted.items.contains { $0.name == "x" }, "a relist converges")
        }
    }

    @Test func injectedFaultsReachTheClientAsTypedErrors() async throws {
        try await withSandbox { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            await sandbox.faults.fail(verb: "create", plural: "configmaps", code: 500)
            let error = await #expect(throws: KubeAPIError.self) { try await maps.create(configMap("f"), namespace: "default") }
            #expect(error?.reason == .serverError)
            _ = try await maps.create(configMap("f"), namespace: "default")  // only the next one failed
            await sandbox.faults.fail(verb: "update", plural: "configmaps", code: 409)
            let conflict = await #expect(throws: KubeAPIError.self) {
                try await maps.update(configMap("f"), name: "f", namespace: "default")
            }
            #expect(conflict?.reason == .conflict)
            await sandbox.faults.fail(verb: "get", plural: "configmaps", code: 429, count: 2)
            #expect(try await maps.get("f", namespace: "default").name == "f", "429 with Retry-After is retried by the client")
        }
    }
}
