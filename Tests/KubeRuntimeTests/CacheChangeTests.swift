import KubeCore
import Testing

@testable import KubeRuntime

/// What a cache says changed: a new generation (the spec) or the status alone.
@Suite struct CacheChangeTests {
    static func deployment(generation: Int64?, ready: Int) -> DynamicObject {
        var json: JSONValue = ["metadata": ["name": "web", "namespace": "shop"], "status": ["readyReplicas": .int(ready)]]
        if let generation { json[path: "metadata", "generation"] = .int(Int(generation)) }
        return DynamicObject(json: json)
    }

    static func kinds(_ changes: [CacheChange<DynamicObject>]) -> [String] {
        changes.map { change in
            switch change {
            case .applied: "applied"
            case .appliedStatus: "status"
            case .deleted: "deleted"
            }
        }
    }

    @Test(arguments: [false, true]) func aVersionWithTheSameGenerationIsAStatusChangeDecodedOrEncoded(encoded: Bool) {
        let cache = ObjectCache<DynamicObject>(encoding: encoded ? .json : nil)
        _ = cache.apply(.initStarted)
        _ = cache.apply(.initDone)
        #expect(Self.kinds(cache.apply(.apply(Self.deployment(generation: 1, ready: 0)))) == ["applied"], "a new object")
        #expect(Self.kinds(cache.apply(.apply(Self.deployment(generation: 1, ready: 2)))) == ["status"])
        #expect(Self.kinds(cache.apply(.apply(Self.deployment(generation: 2, ready: 2)))) == ["applied"], "a new spec")
        #expect(cache.get(namespace: "shop", name: "web")?.json[path: "status", "readyReplicas"] == 2)
        #expect(Self.kinds(cache.apply(.delete(Self.deployment(generation: 2, ready: 2)))) == ["deleted"])
        #expect(Self.kinds(cache.apply(.apply(Self.deployment(generation: 2, ready: 2)))) == ["applied"], "created again")
    }

    @Test func anObjectWithoutAGenerationAlwaysChangesAsAWhole() {
        let cache = ObjectCache<DynamicObject>()
        _ = cache.apply(.initStarted)
        _ = cache.apply(.initDone)
        _ = cache.apply(.apply(Self.deployment(generation: nil, ready: 0)))
        #expect(Self.kinds(cache.apply(.apply(Self.deployment(generation: nil, ready: 1)))) == ["applied"], "a ConfigMap has no generation")
    }
}
