import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Synchronization
import SerinTesting
import Testing

/// Records what a reconciler saw.
final class ReconcileLog: Sendable {
    private let state = Mutex<(calls: [String], inFlight: [String: Int], maxInFlight: Int, versions: [String])>(([], [:], 0, []))

    func begin(_ key: String) {
        state.withLock { state in
            state.calls.append(key)
            state.inFlight[key, default: 0] += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight[key]!)
        }
    }

    func end(_ key: String, version: String?) {
        state.withLock { state in
            state.inFlight[key]! -= 1
            if let version { state.versions.append(version) }
        }
    }

    var calls: [String] { state.withLock { $0.calls } }
    var maxInFlightPerKey: Int { state.withLock { $0.maxInFlight } }
    var lastVersion: String? { state.withLock { $0.versions.last } }
}

/// Runs reflectors and a controller in the background for the duration of `body`.
func running<T>(_ services: [@Sendable () async throws -> Void], _ body: () async throws -> T) async throws -> T {
    let tasks = services.map { service in Task { try await service() } }
    defer { for task in tasks { task.cancel() } }
    return try await body()
}

/// A barrier for "and nothing more happened", instead of sleeping and hoping: writes the ConfigMap `name` and
/// waits until it has been reconciled. A controller with one worker (`concurrency: 1`) takes its queue in order
/// and each watch delivers its events in order, so once the sentinel written after some events has been
/// reconciled, every reconcile those events caused has begun. The caller's reconciler must log the sentinel
/// and do nothing else for it.
func barrier(
    _ name: String, in maps: ResourceClient<DynamicObject>, labels: JSONValue = [:],
    ownedBy owner: String? = nil, log: ReconcileLog, reconciles key: String? = nil
) async throws -> Bool {
    var sentinel = configMap(name, labels: labels)
    if let owner {
        sentinel.json[path: "metadata", "ownerReferences"] = [
            [
                "apiVersion": "v1", "kind": "ConfigMap", "name": .string(owner),
                "uid": "sentinel", "controller": true,
            ]
        ]
    }
    _ = try await maps.create(sentinel, namespace: "default")
    return await eventually(timeout: .seconds(30)) { log.calls.contains(key ?? name) }
}

@Suite struct ControllerTests {
    @Test func aBurstOfUpdatesToOneKeyRunsSeriallyAndCoalesces() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            _ = try await maps.create(configMap("hot"), namespace: "default")
            let log = ReconcileLog()
            let reflector = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            let reconciler = ReconcilerFunction { request, _ in
                log.begin(request.description)
                try await Task.sleep(for: .milliseconds(30))  // slow enough for updates to pile up
                log.end(request.description, version: reflector.cache.get(request)?.resourceVersion)
                return .awaitChange
            }
            let controller = Controller(name: "burst", primary: reflector, reconciler: reconciler, config: ControllerConfig(concurrency: 4))
            try await running([reflector.run, controller.run]) {
                for index in 0..<50 {
                    _ = try await maps.patch("hot", namespace: "default", patch: .merge(["data": ["n": .string("\(index)")]]))
                }
                let latest = try await maps.get("hot", namespace: "default").resourceVersion
                #expect(await eventually { log.lastVersion == latest }, "the last reconcile saw the latest state")
            }
            #expect(log.maxInFlightPerKey == 1, "never two reconciles of one key at once")
            #expect(log.calls.count < 51, "duplicates coalesce: \(log.calls.count) reconciles for 51 changes")
        }
    }

    @Test func requeuesErrorsWithBackOffAndTerminalErrorsAreNotRetried() async throws {
        struct Flaky: Error {}
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            _ = try await maps.create(configMap("flaky"), namespace: "default")
            _ = try await maps.create(configMap("broken"), namespace: "default")
            _ = try await maps.create(configMap("periodic"), namespace: "default")
            let log = ReconcileLog()
            let reflector = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            let reconciler = ReconcilerFunction { request, _ in
                log.begin(request.name)
                defer { log.end(request.name, version: nil) }
                switch request.name {
                case "flaky" where log.calls.filter({ $0 == "flaky" }).count < 3: throw Flaky()
                case "broken": throw TerminalError(Flaky())
                case "periodic": return .requeue(after: .milliseconds(50))
                default: return .awaitChange
                }
            }
            var config = ControllerConfig()
            config.backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(40))
            let controller = Controller(name: "retry", primary: reflector, reconciler: reconciler, config: config)
            try await running([reflector.run, controller.run]) {
                #expect(await eventually(timeout: .seconds(30)) { log.calls.filter { $0 == "flaky" }.count == 3 }, "retried until it succeeds")
                #expect(await eventually(timeout: .seconds(30)) { log.calls.filter { $0 == "periodic" }.count >= 4 }, "requeued without any change")
                // A barrier on the controller's own progress, not a sleep: four more periodic reconciles, 50 ms
                // apart, outlast any back-off (at most 40 ms), so a retry of `flaky` or `broken` would have come.
                let periodic = log.calls.filter { $0 == "periodic" }.count
                #expect(await eventually(timeout: .seconds(30)) { log.calls.filter { $0 == "periodic" }.count >= periodic + 4 })
            }
            #expect(log.calls.filter { $0 == "flaky" }.count == 3, "not retried after success")
            #expect(log.calls.filter { $0 == "broken" }.count == 1, "terminal errors are not retried")
        }
    }

    @Test func requeuesAndBackOffWaitOnTheInjectedClockNotOnWallTime() async throws {
        struct Flaky: Error {}
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            _ = try await maps.create(configMap("hourly"), namespace: "default")
            _ = try await maps.create(configMap("failing"), namespace: "default")
            let log = ReconcileLog()
            let reflector = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            let reconciler = ReconcilerFunction { request, _ in
                log.begin(request.name)
                defer { log.end(request.name, version: nil) }
                if request.name == "failing" { throw Flaky() }
                return .requeue(after: .seconds(3600))
            }
            let clock = VirtualTime()
            var config = ControllerConfig()
            config.backoff = Backoff(initial: .seconds(10), maximum: .seconds(10), jitter: 0)
            let controller = Controller(
                name: "clocked", primary: reflector, reconciler: reconciler, config: config, clock: OperatorClock.virtual(clock))
            func count(_ name: String) -> Int { log.calls.filter { $0 == name }.count }
            try await running([reflector.run, controller.run]) {
                // Generous wall-clock waits for the sandbox and the first reconciles (a loaded CI machine took 5 s);
                // the times under test are all on the manual clock.
                #expect(
                    await eventually(timeout: .seconds(30)) { count("hourly") == 1 && count("failing") == 1 && clock.sleepers.count == 2 },
                    "both keys wait on the clock")
                clock.advance(by: .seconds(9))
                // No timer is due: both keys still sleep (advancing wakes a due sleeper at once), so none can run.
                #expect(clock.sleepers.count == 2, "the back-off has not passed on the clock")
                #expect(count("failing") == 1)
                clock.advance(by: .seconds(1))
                #expect(await eventually(timeout: .seconds(20)) { count("failing") == 2 }, "retried when the clock reaches the back-off")
                #expect(count("hourly") == 1)
                #expect(await eventually(timeout: .seconds(20)) { clock.sleepers.count == 2 }, "the retry waits on the clock again")
                clock.advance(by: .seconds(3590))
                #expect(await eventually(timeout: .seconds(20)) { count("hourly") == 2 }, "an hour's requeue passes without an hour of waiting")
            }
        }
    }

    @Test func relatedObjectsTriggerTheirOwnersAndMappedKeys() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let owner = try await maps.create(configMap("owner"), namespace: "default")
            let log = ReconcileLog()
            let primary = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default", config: WatcherConfig(labelSelector: "!child"))
            let children = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default", config: WatcherConfig(labelSelector: "child"))
            let secrets = Reflector<DynamicObject>(client: client, resource: .secrets, namespace: "default")
            let reconciler = ReconcilerFunction { request, _ in
                log.begin(request.name)
                log.end(request.name, version: nil)
                return .awaitChange
            }
            let controller = Controller(name: "triggers", primary: primary, reconciler: reconciler, config: ControllerConfig(concurrency: 1))
                .owns(children, ownerKind: "ConfigMap")
                .watches(secrets) { secret in [ReconcileRequest(namespace: "default", name: secret.labels["for"] ?? "")] }
            func owners() -> Int { log.calls.filter { $0 == "owner" }.count }
            try await running([primary.run, children.run, secrets.run, controller.run]) {
                #expect(await eventually(timeout: .seconds(30)) { log.calls.contains("owner") }, "reconciled once at start")
                #expect(try await barrier("settled", in: maps, log: log))
                let atStart = owners()
                var child = configMap("child", labels: ["child": "yes"])
                child.json[path: "metadata", "ownerReferences"] = [
                    [
                        "apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                        "uid": .string(owner.uid ?? ""), "controller": true,
                    ]
                ]
                _ = try await maps.create(child, namespace: "default")
                #expect(await eventually(timeout: .seconds(30)) { owners() > atStart }, "an owned object's change reconciles its owner")
                #expect(
                    try await barrier(
                        "child-settled", in: maps, labels: ["child": "yes"], ownedBy: "child-barrier", log: log,
                        reconciles: "child-barrier"))
                let afterChild = owners()
                _ = try await client.resource(.secrets).create(
                    DynamicObject(json: ["metadata": ["name": "s", "labels": ["for": "owner"]], "type": "Opaque"]), namespace: "default")
                #expect(await eventually(timeout: .seconds(30)) { owners() > afterChild }, "a mapped object reconciles its key")
                #expect(Set(log.calls) == ["owner", "settled", "child-barrier"], "only the owner (and the sentinels) are reconciled")
            }
        }
    }

    @Test func theEchoOfAReconcilesOwnWritesDoesNotReconcileAgainButSomebodyElsesChangeDoes() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            let owner = try await maps.create(configMap("owner"), namespace: "default")
            var child = configMap("child", labels: ["child": "yes"])
            child.json[path: "metadata", "ownerReferences"] = [
                [
                    "apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                    "uid": .string(owner.uid ?? ""), "controller": true,
                ]
            ]
            _ = try await maps.create(child, namespace: "default")
            let log = ReconcileLog()
            let primary = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default", config: WatcherConfig(labelSelector: "!child"))
            let children = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default", config: WatcherConfig(labelSelector: "child"))
            let reconciler = ReconcilerFunction { request, _ in
                log.begin(request.name)
                defer { log.end(request.name, version: nil) }
                guard request.name == "owner" else { return .awaitChange }  // a barrier's sentinel
                let step = String(log.calls.count)
                // Each reconcile writes its own object and its owned one, then asks to look again in an hour.
                _ = try await maps.patch("owner", namespace: "default", patch: .merge(["data": ["step": .string(step)]]))
                _ = try await maps.patch("child", namespace: "default", patch: .merge(["data": ["step": .string(step)]]))
                return .requeue(after: .seconds(3600))
            }
            let writes = OwnWrites()
            client.observeWrites(writes)
            var config = ControllerConfig()
            config.ownWrites = writes
            config.concurrency = 1
            let controller = Controller(
                name: "echoes", primary: primary, reconciler: reconciler, config: config, clock: OperatorClock.virtual(VirtualTime())
            )
            .owns(children, ownerKind: "ConfigMap")
            // As the operator does: the controller starts once every cache has its first list. (Started at
            // once, a loaded machine can deliver the owned cache's list after the first reconcile wrote the
            // child, and that list's older version is rightly a change.)
            let synced: @Sendable () async throws -> Void = {
                await primary.cache.waitUntilSynced()
                await children.cache.waitUntilSynced()
                try await controller.run()
            }
            try await running([primary.run, children.run, synced]) {
                #expect(await eventually(timeout: .seconds(20)) { log.calls.count == 1 }, "reconciled once at start")
                #expect(
                    await eventually(timeout: .seconds(20)) {
                        children.cache.get(ObjectKey(namespace: "default", name: "child"))?.json[path: "data", "step"] == "1"
                    })
                func owners() -> Int { log.calls.filter { $0 == "owner" }.count }
                // Sentinels on both watches: the owner's echo and the child's have both been handled.
                #expect(try await barrier("sentinel", in: maps, log: log))
                #expect(
                    try await barrier(
                        "child-sentinel", in: maps, labels: ["child": "yes"], ownedBy: "child-barrier", log: log,
                        reconciles: "child-barrier"))
                #expect(owners() == 1, "neither its own object's echo nor its owned object's reconciles again")
                _ = try await maps.patch("child", namespace: "default", patch: .merge(["data": ["by": "somebody"]]))
                #expect(await eventually(timeout: .seconds(20)) { owners() == 2 }, "somebody else's change to the owned object reconciles")
                #expect(try await barrier("sentinel-2", in: maps, log: log))
                #expect(
                    try await barrier(
                        "child-sentinel-2", in: maps, labels: ["child": "yes"], ownedBy: "child-barrier-2", log: log,
                        reconciles: "child-barrier-2"))
                #expect(owners() == 2, "nor the echoes of that reconcile's writes")
            }
        }
    }

    @Test func theEchoOfAWriteReconcilesAgainWhenTheReconcileAwaitedAChange() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            _ = try await maps.create(configMap("owner"), namespace: "default")
            let log = ReconcileLog()
            let reflector = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            let reconciler = ReconcilerFunction { request, _ in
                let object = reflector.cache.get(request)
                log.begin(request.name)
                defer { log.end(request.name, version: request.name == "owner" ? object?.resourceVersion : nil) }
                if request.name == "owner", object?.json[path: "data", "go"] != nil, object?.json[path: "data", "done"] == nil {
                    _ = try await maps.patch("owner", namespace: "default", patch: .merge(["data": ["done": "yes"]]))
                }
                return .awaitChange  // it counts on the write's event to look again
            }
            let writes = OwnWrites()
            client.observeWrites(writes)
            var config = ControllerConfig()
            config.ownWrites = writes
            config.concurrency = 1
            let controller = Controller(name: "awaiting", primary: reflector, reconciler: reconciler, config: config)
            func owners() -> Int { log.calls.filter { $0 == "owner" }.count }
            try await running([reflector.run, controller.run]) {
                #expect(await eventually(timeout: .seconds(20)) { owners() >= 1 }, "reconciled at start")
                #expect(try await barrier("settled", in: maps, log: log))
                let atStart = owners()
                _ = try await maps.patch("owner", namespace: "default", patch: .merge(["data": ["go": "yes"]]))
                #expect(await eventually(timeout: .seconds(20)) { owners() == atStart + 2 }, "the change, then the echo of the reconcile's own write")
                let latest = try await maps.get("owner", namespace: "default").resourceVersion
                #expect(await eventually(timeout: .seconds(20)) { log.lastVersion == latest }, "the echo's reconcile saw its own write")
                #expect(try await barrier("sentinel", in: maps, log: log))
                #expect(owners() == atStart + 2, "and nothing after it")
            }
        }
    }
}
