import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Testing

@Suite struct OwnWritesTests {
    let owner = ObjectKey(namespace: "default", name: "owner")

    func object(_ name: String, version: String) -> DynamicObject {
        DynamicObject(json: ["metadata": ["name": .string(name), "namespace": "default", "resourceVersion": .string(version)]])
    }

    func write(_ name: String, version: String, resource: KubeResource = .configMaps) -> ObjectWrite {
        ObjectWrite(resource: resource, namespace: "default", name: name, resourceVersion: version)
    }

    @Test func aWriteInAReconcileIsRememberedWithItsKeyAndItsVersionOnly() {
        let writes = OwnWrites()
        ReconcileScope.$key.withValue(owner) { writes.didWrite(write("child", version: "7")) }
        #expect(writes.isWrite(of: object("child", version: "7"), in: .configMaps, by: owner))
        #expect(
            !writes.isWrite(of: object("child", version: "7"), in: .configMaps, by: ObjectKey(namespace: "default", name: "another")),
            "another key's reconcile did not write it")
        #expect(!writes.isWrite(of: object("child", version: "8"), in: .configMaps, by: owner), "a later change is somebody's change")
        #expect(!writes.isWrite(of: object("other", version: "7"), in: .configMaps, by: owner))
        #expect(!writes.isWrite(of: object("child", version: "7"), in: .secrets, by: owner), "another resource's object of the same name")
        var otherVersion = KubeResource.configMaps
        otherVersion.version = "v2"
        #expect(writes.isWrite(of: object("child", version: "7"), in: otherVersion, by: owner), "the same object through another version")
    }

    @Test func theLateEchoOfAnEarlierWriteIsStillAnEchoAfterTheObjectWasWrittenAgain() {
        let writes = OwnWrites()
        // Under load the watch lags: the next reconcile writes the object again before the first write's event arrives.
        ReconcileScope.$key.withValue(owner) {
            writes.didWrite(write("child", version: "7"))
            writes.didWrite(write("child", version: "9"))
        }
        #expect(writes.isWrite(of: object("child", version: "7"), in: .configMaps, by: owner), "the first write's late echo")
        #expect(writes.isWrite(of: object("child", version: "9"), in: .configMaps, by: owner))
        #expect(!writes.isWrite(of: object("child", version: "8"), in: .configMaps, by: owner), "a change between them is somebody's")
    }

    @Test func aWriteOutsideAReconcileIsNotRemembered() {
        let writes = OwnWrites()
        writes.didWrite(write("child", version: "7"))
        #expect(!writes.isWrite(of: object("child", version: "7"), in: .configMaps, by: owner))
        #expect(writes.count == 0)
    }

    @Test func writesAreForgottenAfterTwoRetentionWindows() async throws {
        let writes = OwnWrites(retention: .milliseconds(100))
        ReconcileScope.$key.withValue(owner) { for index in 0..<1000 { writes.didWrite(write("old-\(index)", version: "1")) } }
        #expect(writes.isWrite(of: object("old-0", version: "1"), in: .configMaps, by: owner))
        try await Task.sleep(for: .milliseconds(250))
        ReconcileScope.$key.withValue(owner) { writes.didWrite(write("new", version: "1")) }
        #expect(writes.count == 1, "both older windows dropped: \(writes.count) left")
        #expect(writes.isWrite(of: object("new", version: "1"), in: .configMaps, by: owner))
        #expect(!writes.isWrite(of: object("old-0", version: "1"), in: .configMaps, by: owner))
    }

    /// A patch read for its version alone tells the observers as a decoded one does, with the same version.
    @Test func aPatchReadForItsVersionIsAnOwnWriteAsAnyOther() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let writes = OwnWrites()
            client.observeWrites(writes)
            let maps = client.resource(.configMaps)
            _ = try await maps.create(object("child", version: ""), namespace: "default")
            let version = try await ReconcileScope.$key.withValue(owner) {
                try await maps.patchReadingVersion("child", namespace: "default", patch: .merge(["data": ["a": "1"]]))
            }
            let stored = try await maps.get("child", namespace: "default")
            #expect(version != nil && version == stored.resourceVersion)
            #expect(writes.isWrite(of: stored, in: .configMaps, by: owner))
            await #expect(throws: KubeAPIError.self) {
                try await maps.patchReadingVersion("missing", namespace: "default", patch: .merge(["data": ["a": "1"]]))
            }
        }
    }

    /// A create read for its version alone is an own write too; one already there throws as a create does.
    @Test func aCreateReadForItsVersionIsAnOwnWriteAsAnyOther() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let writes = OwnWrites()
            client.observeWrites(writes)
            let maps = client.resource(.configMaps, as: JSONValue.self)
            let created: JSONValue = ["metadata": ["name": "fresh"], "data": ["a": "1"]]
            let version = try await ReconcileScope.$key.withValue(owner) { try await maps.createReadingVersion(created, namespace: "default") }
            let stored = try await client.resource(.configMaps).get("fresh", namespace: "default")
            #expect(version != nil && version == stored.resourceVersion && stored.json["data"] == ["a": "1"])
            #expect(writes.isWrite(of: stored, in: .configMaps, by: owner))
            await #expect(throws: KubeAPIError.self) { try await maps.createReadingVersion(created, namespace: "default") }
        }
    }
}
