import KubeClient
import KubeCore
import KubeRuntime
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
}
