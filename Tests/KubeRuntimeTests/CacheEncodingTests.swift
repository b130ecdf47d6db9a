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
