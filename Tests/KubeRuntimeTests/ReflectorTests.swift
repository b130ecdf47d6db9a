import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import MetricsTestKit
import Synchronization
import Testing

func configMap(_ name: String, labels: JSONValue = [:]) -> DynamicObject {
    DynamicObject(json: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "default", "labels": labels]])
}

/// Runs a reflector in the background for the duration of `body`.
func withReflector<Object: KubeObject, T>(
    _ reflector: Reflector<Object>, _ body: () async throws -> T
) async throws -> T {
    let task = Task { try await reflector.run() }
    defer { task.cancel() }
    return try await body()
}

@Suite struct ReflectorTests {
    @Test func theCacheFollowsChangesAndAWatchDroppedMidStreamLosesAndRepeatsNothing() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            _ = try await maps.create(configMap("before"), namespace: "default")
            let reflector = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            let changes = reflector.subscribe()
            try await withReflector(reflector) {
                await reflector.cache.waitUntilSynced()
                #expect(reflector.cache.get(namespace: "default", name: "before") != nil)
                for round in 0..<5 {
                    _ = try await maps.create(configMap("m\(round)"), namespace: "default")
                    await sandbox.store.closeAllWatches()  // the connection drops; the watcher resumes
                }
                _ = try await maps.patch("m0", namespace: "default", patch: .merge(["data": ["k": "v"]]))
                try await maps.delete("m1", namespace: "default")
                #expect(
                    await eventually {
                        reflector.cache.count == 5 && reflector.cache.get(namespace: "default", name: "m0")?.json["data"] == ["k": "v"]
                    })
            }
            var applied: [String: Int] = [:]
            var deleted: [String] = []
            for await change in changes {
                switch change {
                case .applied(let object), .appliedStatus(let object): applied[object.name ?? "", default: 0] += 1
                case .deleted(let object): deleted.append(object.name ?? "")
                }
                if deleted == ["m1"] { break }
            }
            #expect(applied == ["before": 1, "m0": 2, "m1": 1, "m2": 1, "m3": 1, "m4": 1], "each change exactly once")
        }
    }

    /// One object nested deeper than the client parses (the API server stores 10,000 levels) once froze
    /// every watch on its resource: now it is skipped and named, and the watch goes on past it.
    @Test func anObjectTooDeepToReadIsSkippedNamedAndTheWatchGoesOnPastIt() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            func deep(_ name: String) throws -> DynamicObject {
                let nested = String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600)
                return DynamicObject(
                    json: try JSONValue(
                        parsing: Array(
                            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","namespace":"default"},"extra":\#(nested)}"#.utf8),
                        maximumDepth: 1000))
            }
            /// The server stores it; the answer to the create is itself too deep to read.
            func createDeep(_ name: String) async throws {
                await #expect(throws: KubeClientError.self) { _ = try await maps.create(deep(name), namespace: "default") }
            }
            try await createDeep("listed")
            _ = try await maps.create(configMap("fine"), namespace: "default")
            let page = try await maps.list(namespace: "default")
            #expect(page.items.map(\.name) == ["fine"])
            #expect(page.skipped.map(\.name) == ["listed"])
            #expect(page.skipped.first?.reason == "nesting deeper than 512 levels")
            let skips = Mutex<[String]>([])
            let reflector = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default",
                onSkip: { skip in
                    skips.withLock { $0.append(skip.name) }
                })
            try await withReflector(reflector) {
                await reflector.cache.waitUntilSynced()
                #expect(reflector.cache.skipped.map(\.name) == ["listed"])
                try await createDeep("watched")
                _ = try await maps.create(configMap("after"), namespace: "default")
                #expect(await eventually { reflector.cache.get(namespace: "default", name: "after") != nil }, "the watch goes on past it")
                #expect(reflector.cache.skipped.map(\.name) == ["listed", "watched"])
                try await maps.delete("watched", namespace: "default")
                _ = try await maps.patch("listed", namespace: "default", patch: .merge(["extra": .null]))
                #expect(
                    await eventually { reflector.cache.skipped.isEmpty && reflector.cache.get(namespace: "default", name: "listed") != nil },
                    "deleted or readable again, it is no longer skipped")
            }
            #expect(skips.withLock { $0 } == ["listed", "watched"])
        }
    }

    @Test func aForced410RelistsAndTheCacheConverges() async throws {
        let metrics = TestMetrics()
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let reflector = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default", metrics: RuntimeMetrics(factory: metrics))
            try await withReflector(reflector) {
                await reflector.cache.waitUntilSynced()
                _ = try await maps.create(configMap("old"), namespace: "default")
                #expect(await eventually { reflector.cache.count == 1 })
                // While the watch is down, history is compacted: the resume gets 410 and must relist.
                await sandbox.faults.fail(verb: "watch", plural: "configmaps", code: 500, count: 1)
                await sandbox.store.closeAllWatches()
                try await maps.delete("old", namespace: "default")
                _ = try await maps.create(configMap("new"), namespace: "default")
                await sandbox.store.compactHistory()
                #expect(
                    await eventually {
                        reflector.cache.count == 1 && reflector.cache.get(namespace: "default", name: "new") != nil
                    }, "the relist swapped in the new state")
            }
            let restarts = try metrics.expectCounter("serin_watch_restarts_total", [("resource", "configmaps"), ("reason", "gone")])
            #expect(restarts.totalValue >= 1, "the restart is counted")
        }
    }

    @Test func anAdmissionFilterKeepsObjectsOutAndARelistTakesInWhatItNowAdmits() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let teams = Mutex<Set<String>>(["a"])
            let reflector = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default",
                admits: { object in teams.withLock { $0.contains(object.labels["team"] ?? "") } })
            for (name, team) in [("a1", "a"), ("b1", "b")] {
                _ = try await maps.create(configMap(name, labels: ["team": .string(team)]), namespace: "default")
            }
            try await withReflector(reflector) {
                await reflector.cache.waitUntilSynced()
                #expect(reflector.cache.keys.map(\.name) == ["a1"], "the list leaves out what is not admitted")
                let changes = reflector.subscribe()
                _ = try await maps.create(configMap("b2", labels: ["team": "b"]), namespace: "default")
                _ = try await maps.patch("a1", namespace: "default", patch: .merge(["metadata": ["labels": ["team": "b"]]]))
                #expect(await eventually { reflector.cache.keys.isEmpty }, "a change to an object no longer admitted is its deletion")
                teams.withLock { $0 = ["b"] }
                await reflector.relist()
                #expect(reflector.cache.keys.map(\.name) == ["a1", "b1", "b2"], "relist() returns once the new list is cached")
                var seen: [String] = []
                for await change in changes {
                    if case .deleted(let object) = change {
                        seen.append("-\(object.name ?? "")")
                    } else {
                        seen.append("+\(change.object.name ?? "")")
                    }
                    if seen.count == 4 { break }
                }
                #expect(seen.prefix(1) == ["-a1"] && Set(seen.dropFirst()) == ["+a1", "+b1", "+b2"], "\(seen)")
                _ = try await maps.create(configMap("b3", labels: ["team": "b"]), namespace: "default")
                #expect(await eventually { reflector.cache.count == 4 }, "the watch goes on after the relist")
            }
        }
    }

    @Test func relistsAskedAtOnceWhileObjectsChangeLeaveTheCacheEqualToWhatIsAdmitted() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let teams = Teams(["a"])
            let reflector = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default",
                admits: { object in teams.value.withLock { $0.contains(object.labels["team"] ?? "") } })
            for index in 0..<300 {
                _ = try await maps.create(configMap("m\(index)", labels: ["team": .string(["a", "b", "c"][index % 3])]), namespace: "default")
            }
            try await withReflector(reflector) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for round in 0..<12 {
                        group.addTask {
                            teams.value.withLock { $0 = round % 2 == 0 ? ["a", "b"] : ["a", "c"] }
                            await reflector.relist()
                        }
                    }
                    group.addTask {
                        for index in 300..<360 {
                            _ = try await maps.create(
                                configMap("m\(index)", labels: ["team": .string(["a", "b", "c"][index % 3])]), namespace: "default")
                        }
                    }
                    try await group.waitForAll()
                }
                teams.value.withLock { $0 = ["a", "b"] }
                await reflector.relist()
                let expected = (0..<360).filter { $0 % 3 != 2 }.map { "m\($0)" }.sorted()
                #expect(await eventually { reflector.cache.keys.map(\.name).sorted() == expected }, "\(reflector.cache.count) of \(expected.count)")
                _ = try await maps.create(configMap("late", labels: ["team": "a"]), namespace: "default")
                #expect(await eventually { reflector.cache.contains(ObjectKey(namespace: "default", name: "late")) }, "the watch goes on")
            }
        }
    }

    @Test func secondaryIndexesFindObjectsByLabelAndOwner() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            var owned = configMap("owned", labels: ["app": "web"])
            owned.json[path: "metadata", "ownerReferences"] = [
                ["apiVersion": "v1", "kind": "ConfigMap", "name": "boss", "uid": "u-1", "controller": true]
            ]
            _ = try await maps.create(owned, namespace: "default")
            _ = try await maps.create(configMap("other", labels: ["app": "api"]), namespace: "default")
            let reflector = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default",
                indexes: [.label("app"), .controllerOwner, CacheIndex(name: "first-letter") { [String(($0.name ?? "").prefix(1))] }])
            try await withReflector(reflector) {
                await reflector.cache.waitUntilSynced()
                #expect(reflector.cache.byIndex("label:app", "web").compactMap(\.name) == ["owned"])
                #expect(reflector.cache.byIndex("controller-owner", "u-1").compactMap(\.name) == ["owned"])
                #expect(reflector.cache.byIndex("first-letter", "o").compactMap(\.name) == ["other", "owned"])
                _ = try await maps.patch("owned", namespace: "default", patch: .merge(["metadata": ["labels": ["app": "api"]]]))
                #expect(await eventually { reflector.cache.byIndex("label:app", "api").count == 2 })
                #expect(reflector.cache.byIndex("label:app", "web").isEmpty, "the old index entry is gone")
            }
        }
    }
}

/// Which teams an admission filter lets in, shared by the tasks of a test.
final class Teams: Sendable {
    let value: Mutex<Set<String>>
    init(_ teams: Set<String>) { value = Mutex(teams) }
}
