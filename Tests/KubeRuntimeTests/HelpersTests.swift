import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
@testable import KubeRuntime
import KubeSandbox
import Testing

@Suite struct StatusWriterTests {
    @Test func conflictsAndServerErrorsOnStatusWritesAreRetried() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let deployments = client.resource(.deployments, as: JSONValue.self)
            let spec: JSONValue = [
                "selector": ["matchLabels": ["a": "b"]],
                "template": [
                    "metadata": ["labels": ["a": "b"]],
                    "spec": ["containers": [["name": "c", "image": "i"]]],
                ],
            ]
            _ = try await deployments.create(["metadata": ["name": "d"], "spec": spec], namespace: "default")
            await sandbox.faults.fail(verb: "update", plural: "deployments", subresource: "status", code: 409, count: 2)
            await sandbox.faults.fail(verb: "update", plural: "deployments", subresource: "status", code: 500, count: 1)
            let written = try await StatusWriter(sleep: { _ in }).update(deployments, name: "d", namespace: "default") { status in
                status["observedGeneration"] = 7
            }
            #expect(written[path: "status", "observedGeneration"] == 7)

            await sandbox.faults.fail(verb: "update", plural: "deployments", subresource: "status", code: 409, count: 10)
            let error = await #expect(throws: KubeAPIError.self) {
                try await StatusWriter(sleep: { _ in }).update(deployments, name: "d", namespace: "default") { $0["replicas"] = 3 }
            }
            #expect(error?.reason == .conflict, "gives up after its attempts")
        }
    }
}

@Suite struct FinalizerTests {
    @Test func addAndRemoveAreGuardedAgainstConcurrentChanges() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let created = try await maps.create(configMap("f"), namespace: "default")
            #expect(Finalizers.state(of: created, finalizer: "serin.dev/finalizer") == .needsFinalizer)
            let added = try await Finalizers.add("serin.dev/finalizer", to: created, in: maps)
            #expect(added.metadata.finalizers == ["serin.dev/finalizer"])
            #expect(Finalizers.state(of: added, finalizer: "serin.dev/finalizer") == .live)

            // Someone else adds theirs in between: our stale view must not overwrite it.
            _ = try await maps.patch("f", namespace: "default", patch: .merge(["metadata": ["finalizers": ["serin.dev/finalizer", "other/keep"]]]))
            let stale = created
            await #expect(throws: KubeAPIError.self) { _ = try await Finalizers.add("serin.dev/second", to: stale, in: maps) }

            let kept = try #require(try await maps.delete("f", namespace: "default"))
            #expect(Finalizers.state(of: kept, finalizer: "serin.dev/finalizer") == .needsCleanup)
            let after = try await Finalizers.remove("serin.dev/finalizer", from: kept, in: maps)
            #expect(after?.metadata.finalizers == ["other/keep"], "only our finalizer is removed")
        }
    }
}

@Suite struct EventRecorderTests {
    @Test func repeatedIdenticalEventsAggregateIntoOneWithACount() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let recorder = EventRecorder(client: client, component: "serin")
            let service = Task { try await recorder.run() }
            defer { service.cancel() }
            let target = EventObjectReference(apiVersion: "flagger.app/v1beta1", kind: "Canary", namespace: "default", name: "web", uid: "u-1")
            for _ in 0..<4 { recorder.record(target, type: .normal, reason: "Synced", message: "Advance web.default canary weight 20") }
            recorder.record(target, type: .warning, reason: "Synced", message: "Halt web.default advancement")
            await recorder.flush()
            let events = try await client.resource(.events).list(namespace: "default").items
            #expect(events.count == 2)
            let advance = try #require(events.first { $0.json["message"] == "Advance web.default canary weight 20" })
            #expect(advance.json["count"] == 4 && advance.json["type"] == "Normal")
            #expect(advance.json[path: "involvedObject", "kind"] == "Canary" && advance.json[path: "source", "component"] == "serin")
            #expect(events.first { $0.json["type"] == "Warning" }?.json["count"] == 1)
        }
    }

    /// client-go's ten minutes: the same Event within them raises the count, after them it is a new Event, and
    /// the recorder forgets what it no longer aggregates (before, every message of every object stayed).
    @Test func anEventIsAggregatedForTenMinutesThenForgotten() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let time = VirtualTime()
            let recorder = EventRecorder(client: client, component: "serin", clock: .virtual(time))
            let service = Task { try await recorder.run() }
            defer { service.cancel() }
            let web = EventObjectReference(apiVersion: "flagger.app/v1beta1", kind: "Canary", namespace: "default", name: "web", uid: "u-1")
            let api = EventObjectReference(apiVersion: "flagger.app/v1beta1", kind: "Canary", namespace: "default", name: "api", uid: "u-2")
            recorder.record(web, type: .normal, reason: "Synced", message: "Advance web.default canary weight 20")
            recorder.record(api, type: .normal, reason: "Synced", message: "Advance api.default canary weight 20")
            await recorder.flush()
            time.advance(by: .seconds(540))
            recorder.record(web, type: .normal, reason: "Synced", message: "Advance web.default canary weight 20")
            await recorder.flush()
            #expect(recorder.rememberedCount == 2)
            time.advance(by: .seconds(120))  // web's Event was written 2 minutes ago, api's 11
            recorder.record(web, type: .normal, reason: "Synced", message: "Advance web.default canary weight 40")
            await recorder.flush()
            #expect(recorder.rememberedCount == 2, "api's Event is forgotten; web's two are remembered")
            recorder.record(api, type: .normal, reason: "Synced", message: "Advance api.default canary weight 20")
            await recorder.flush()
            let events = try await client.resource(.events).list(namespace: "default").items
            let counts = events.compactMap { event in
                event.json["message"]?.stringValue.map { "\($0) ×\(event.json["count"]?.intValue ?? 0)" }
            }.sorted()
            #expect(
                counts == [
                    "Advance api.default canary weight 20 ×1", "Advance api.default canary weight 20 ×1",
                    "Advance web.default canary weight 20 ×2", "Advance web.default canary weight 40 ×1",
                ], "\(counts)")
        }
    }

    @Test func aHotLoopCannotFloodTheAPI() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let recorder = EventRecorder(client: client, component: "serin", burst: 5, refill: .seconds(3600))
            let service = Task { try await recorder.run() }
            defer { service.cancel() }
            let target = EventObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "x", uid: nil)
            for index in 0..<100 { recorder.record(target, type: .normal, reason: "Loop", message: "message \(index)") }
            await recorder.flush()
            let events = try await client.resource(.events).list(namespace: "default").items
            #expect(events.count == 5, "only the burst gets through")
        }
    }

    @Test func anEventRecordedOnceIsWrittenOnceThroughFaultsAndItsNameFitsForAnyObjectName() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let recorder = EventRecorder(client: client, component: "serin", retry: RetryPolicy(sleep: { _ in }))
            let long = String(repeating: "a", count: 253)
            let target = EventObjectReference(apiVersion: "flagger.app/v1beta1", kind: "Canary", namespace: "default", name: long, uid: "u-1")
            await sandbox.faults.fail(verb: "create", plural: "events", code: 500, count: 1, moment: .afterCommit)
            await sandbox.faults.fail(verb: "create", plural: "events", code: 429, count: 1)
            // The first attempt commits but answers 500; the retry finds it already there.
            let first = try await recorder.recordOnce(target, type: .normal, reason: "Synced", message: "Advance", key: "0000000000000001abcdef0100")
            let again = try await recorder.recordOnce(target, type: .normal, reason: "Synced", message: "Advance", key: "0000000000000001abcdef0100")
            #expect(first == .existed && again == .existed, "created by the attempt whose answer was lost; never twice")
            let events = try await client.resource(.events).list(namespace: "default").items
            #expect(events.count == 1)
            #expect((events.first?.name?.count ?? 0) <= 253 && events.first?.name?.hasSuffix(".0000000000000001abcdef0100") == true)
            #expect(events.first?.json[path: "involvedObject", "name"]?.stringValue == long)
            await sandbox.faults.fail(verb: "create", plural: "events", code: 403, count: 1)
            let refused = try await recorder.recordOnce(
                target, type: .normal, reason: "Synced", message: "Advance", key: "0000000000000002abcdef0100")
            #expect(refused == .refused, "a refusal for good is reported, not thrown: it must not hold a rollout")
        }
    }
}
