import KubeCore
import Testing

@testable import KubeRuntime

/// A cache's indexes through changes: a value shared by several objects, then by one, then by none; an
/// object with several values; a relist that drops and re-adds.
@Suite struct CacheIndexTests {
    static func object(_ name: String, owner: String?, teams: [String] = []) -> DynamicObject {
        var json: JSONValue = ["metadata": ["name": .string(name), "namespace": "shop"]]
        if let owner { json[path: "metadata", "labels"] = ["owner": .string(owner)] }
        json[path: "metadata", "annotations"] = ["teams": .string(teams.joined(separator: ","))]
        return DynamicObject(json: json)
    }

    static let indexes = [
        CacheIndex<DynamicObject>.label("owner"),
        CacheIndex<DynamicObject>(name: "teams") { object in
            (object.metadata.annotations?["teams"] ?? "").split(separator: ",").map(String.init)
        },
    ]

    @Test(arguments: [false, true]) func aValueKeepsExactlyTheObjectsThatHaveIt(encoded: Bool) {
        let cache = ObjectCache<DynamicObject>(indexes: Self.indexes, encoding: encoded ? .compact() : nil)
        _ = cache.apply(.initStarted)
        _ = cache.apply(.initApply(Self.object("a", owner: "u1", teams: ["x", "y"])))
        _ = cache.apply(.initDone)
        func owned(_ owner: String) -> [String] { cache.keys(byIndex: "label:owner", owner).map(\.name) }
        #expect(owned("u1") == ["a"])
        #expect(cache.counts(byIndex: "teams") == ["x": 1, "y": 1], "two values of one object")

        for name in ["b", "c"] { _ = cache.apply(.apply(Self.object(name, owner: "u1", teams: ["x"]))) }
        #expect(owned("u1") == ["a", "b", "c"])
        #expect(cache.byIndex("label:owner", "u1").compactMap(\.name) == ["a", "b", "c"])
        #expect(cache.counts(byIndex: "teams") == ["x": 3, "y": 1])

        _ = cache.apply(.apply(Self.object("b", owner: "u2")))  // moves to another value
        _ = cache.apply(.delete(Self.object("c", owner: "u1")))
        #expect(owned("u1") == ["a"], "from three objects to one")
        #expect(owned("u2") == ["b"])
        #expect(cache.counts(byIndex: "teams") == ["x": 1, "y": 1])

        _ = cache.apply(.apply(Self.object("a", owner: nil)))  // no value any more
        _ = cache.apply(.apply(Self.object("a", owner: nil)))  // twice: nothing left to unindex
        #expect(owned("u1").isEmpty)
        #expect(cache.counts(byIndex: "label:owner") == ["u2": 1], "a value no object has is gone")
        #expect(cache.counts(byIndex: "teams").isEmpty)

        _ = cache.apply(.apply(Self.object("d", owner: "u2")))
        _ = cache.apply(.apply(Self.object("d", owner: "u2")))  // the same value again
        #expect(owned("u2") == ["b", "d"])
        _ = cache.apply(.initStarted)  // a relist without b
        _ = cache.apply(.initApply(Self.object("d", owner: "u2")))
        _ = cache.apply(.initDone)
        #expect(owned("u2") == ["d"])
        #expect(cache.count == 1)
        _ = cache.apply(.delete(Self.object("d", owner: "u2")))
        #expect(cache.counts(byIndex: "label:owner").isEmpty)
        #expect(cache.count == 0)
    }
}
