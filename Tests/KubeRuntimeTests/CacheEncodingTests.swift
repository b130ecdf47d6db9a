import KubeCore
import Testing

@testable import KubeRuntime

/// The bytes an encoded cache keeps for the life of an object.
@Suite struct CacheEncodingTests {
    @Test func theJSONEncodingKeepsBytesInABufferOfTheirSizeThatDecodeToTheObject() throws {
        let labels = JSONValue.object(.init(uniqueKeysWithValues: (0..<40).map { ("label-\($0)", JSONValue.string("value-\($0)")) }))
        let object = DynamicObject(json: ["metadata": ["name": "web", "namespace": "shop", "labels": labels], "spec": ["replicas": 3]])
        let grown = object.json.serialized()
        #expect(grown.capacity > grown.count, "serialized() grows by doubling: \(grown.count) in \(grown.capacity)")
        let kept = CacheEncoding<DynamicObject>.json.encode(object)
        #expect(kept == grown)
        #expect(kept.capacity < grown.capacity, "\(kept.count) bytes in \(kept.capacity), not \(grown.capacity)")
        #expect(CacheEncoding<DynamicObject>.json.decode(kept) == object)
    }
}

/// `encodedBytes` (exported as `serin_cached_bytes`) follows every change: a new object, a new version, a
/// delete, a skip and a relist.
@Suite struct CacheEncodedBytesTests {
    static func object(_ name: String, _ labels: Int) -> DynamicObject {
        let values = JSONValue.object(.init(uniqueKeysWithValues: (0..<labels).map { ("l\($0)", JSONValue.string("v\($0)")) }))
        return DynamicObject(json: ["metadata": ["name": .string(name), "namespace": "shop", "labels": values]])
    }

    static func size(_ object: DynamicObject) -> Int { CacheEncoding<DynamicObject>.json.encode(object).count }

    @Test func theSumFollowsAppliesDeletesSkipsAndRelists() {
        let cache = ObjectCache<DynamicObject>(encoding: .json)
        let (a, b, bigger) = (Self.object("a", 2), Self.object("b", 5), Self.object("b", 30))
        _ = cache.apply(.initStarted)
        _ = cache.apply(.initApply(a))
        _ = cache.apply(.initDone)
        #expect(cache.encodedBytes == Self.size(a))
        _ = cache.apply(.apply(b))
        #expect(cache.encodedBytes == Self.size(a) + Self.size(b))
        _ = cache.apply(.apply(bigger))
        #expect(cache.encodedBytes == Self.size(a) + Self.size(bigger), "a new version replaces the old one's bytes")
        _ = cache.apply(.delete(a))
        #expect(cache.encodedBytes == Self.size(bigger))
        _ = cache.apply(.skipped(SkippedObject(namespace: "shop", name: "b", uid: nil, resourceVersion: nil, reason: "unreadable"), deleted: false))
        #expect(cache.encodedBytes == 0, "a skipped object is no longer held")
        _ = cache.apply(.initStarted)
        _ = cache.apply(.initApply(a))
        _ = cache.apply(.initApply(b))
        _ = cache.apply(.initDone)
        #expect(cache.encodedBytes == Self.size(a) + Self.size(b), "a relist sums afresh")
        #expect(ObjectCache<DynamicObject>().encodedBytes == 0, "a decoded cache holds no encoded bytes")
    }
}
