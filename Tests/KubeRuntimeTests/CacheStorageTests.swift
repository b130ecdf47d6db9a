import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Testing

/// What a cache holds: encoded or decoded, the same reads; transformed objects without the bookkeeping.
@Suite struct CacheStorageTests {
    @Test(arguments: ["json", "compact"])
    func anEncodedCacheReadsTheSameAsADecodedOneThroughChangesDeletesAndARelist(form: String) async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let byTeam = CacheIndex<DynamicObject>(name: "team") { object in object.labels["team"].map { [$0] } ?? [] }
            let plain = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default", indexes: [byTeam])
            let encoded = Reflector<DynamicObject>(
                client: client, resource: .configMaps, namespace: "default", indexes: [byTeam], encoding: form == "json" ? .json : .compact())
            let maps = client.resource(.configMaps)
            _ = try await maps.create(configMap("before", labels: ["team": "a"]), namespace: "default")
            try await withReflector(plain) {
                try await withReflector(encoded) {
                    for name in ["m1", "m2", "m3"] { _ = try await maps.create(configMap(name, labels: ["team": "a"]), namespace: "default") }
                    _ = try await maps.patch("m1", namespace: "default", patch: .merge(["metadata": ["labels": ["team": "b"]], "data": ["k": "v"]]))
                    try await maps.delete("m2", namespace: "default")
                    await sandbox.store.closeAllWatches()  // the watchers resume
                    _ = try await maps.create(configMap("m4", labels: ["team": "b"]), namespace: "default")
                    func same() -> Bool {
                        plain.cache.list() == encoded.cache.list() && plain.cache.byIndex("team", "a") == encoded.cache.byIndex("team", "a")
                            && plain.cache.byIndex("team", "b") == encoded.cache.byIndex("team", "b")
                    }
                    func settled(_ reflector: Reflector<DynamicObject>) -> Bool {  // m4 was written last
                        reflector.cache.count == 4 && reflector.cache.get(namespace: "default", name: "m4") != nil
                    }
                    #expect(await eventually { settled(plain) && settled(encoded) && same() })
                    #expect(encoded.cache.byIndex("team", "b").compactMap(\.name) == ["m1", "m4"], "re-indexed on change")
                    #expect(encoded.cache.byIndex("team", "a").compactMap(\.name) == ["before", "m3"], "unindexed on change and delete")
                    #expect(encoded.cache.get(namespace: "default", name: "m1")?.json["data"] == ["k": "v"])
                    #expect(encoded.cache.get(namespace: "default", name: "m2") == nil)
                    // What triggers and metrics read without decoding an object.
                    #expect(encoded.cache.keys(byIndex: "team", "b").map(\.name) == ["m1", "m4"])
                    #expect(encoded.cache.counts(byIndex: "team") == ["a": 2, "b": 2])
                    #expect(encoded.cache.keys.map(\.name) == ["before", "m1", "m3", "m4"])
                    #expect(encoded.cache.contains(ObjectKey(namespace: "default", name: "m3")))
                    #expect(!encoded.cache.contains(ObjectKey(namespace: "default", name: "m2")))
                }
            }
        }
    }

    @Test func theBookkeepingTransformDropsManagedFieldsAndLastAppliedAndKeepsTheRest() {
        let object = DynamicObject(json: [
            "metadata": [
                "name": "x", "managedFields": [["manager": "kubectl"]],
                "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{}", "team": "a"],
            ],
            "spec": ["replicas": 1],
        ])
        let trimmed = CacheTransform.dropBookkeeping(object)
        #expect(trimmed.json == ["metadata": ["name": "x", "annotations": ["team": "a"]], "spec": ["replicas": 1]])
        let plain = DynamicObject(json: ["metadata": ["name": "y"]])
        #expect(CacheTransform.dropBookkeeping(plain) == plain)
    }

    /// A Deployment's conditions keep what readiness reads; everything else of the object stays as it was.
    @Test func conditionTextIsLeftOutAndTheRestKept() {
        let conditions: JSONValue = [
            [
                "type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.",
                "lastUpdateTime": "2026-12-07T21:50:29Z", "lastTransitionTime": "2026-12-07T21:50:29Z",
            ],
            ["type": "Progressing", "status": "True", "message": "ReplicaSet \"web-7grt\" has successfully progressed."],
        ]
        let object = DynamicObject(json: ["metadata": ["name": "web"], "spec": ["replicas": 2], "status": ["replicas": 2, "conditions": conditions]])
        let trimmed = CacheTransform.keepingConditionFields(["reason", "lastTransitionTime"])(object)
        #expect(
            trimmed.json == [
                "metadata": ["name": "web"], "spec": ["replicas": 2],
                "status": [
                    "replicas": 2,
                    "conditions": [
                        ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "lastTransitionTime": "2026-12-07T21:50:29Z"],
                        ["type": "Progressing", "status": "True"],
                    ],
                ],
            ])
        let plain = DynamicObject(json: ["metadata": ["name": "web"], "status": ["conditions": [["type": "Available", "status": "True"]]]])
        #expect(CacheTransform.keepingConditionFields([])(plain) == plain)
        let chained = CacheTransform.chained(CacheTransform.dropBookkeeping, CacheTransform.keepingConditionFields([]))
        let both = DynamicObject(json: ["metadata": ["name": "web", "managedFields": []], "status": ["conditions": conditions]])
        #expect(chained(both).json[path: "metadata", "managedFields"] == nil)
        #expect(chained(both).json[path: "status", "conditions"]?.arrayValue?.first?.objectValue?.keys.elements == ["type", "status"])
    }
}
