import KubeCore
@testable import KubeRuntime
import Synchronization
import Testing

/// Inside a reconcile, each version of an encoded object is decoded once however often it is read.
@Suite struct ReadMemoTests {
    /// Compact JSON, counting its decodes.
    final class Counting: Sendable {
        let decodes = Atomic<Int>(0)
        var encoding: CacheEncoding<DynamicObject> {
            CacheEncoding(
                encode: { $0.json.serialized() },
                decode: { [self] bytes in
                    decodes.add(1, ordering: .relaxed)
                    return CacheEncoding.json.decode(bytes)
                })
        }
    }

    func map(_ name: String, _ value: String) -> DynamicObject {
        DynamicObject(json: ["metadata": ["name": .string(name), "namespace": "default"], "data": ["k": .string(value)]])
    }

    @Test func readsOfAnUnchangedObjectInOneReconcileDecodeItOnce() async {
        let counting = Counting()
        let cache = ObjectCache<DynamicObject>(encoding: counting.encoding)
        _ = cache.apply(.apply(map("a", "1")))
        _ = cache.apply(.apply(map("b", "1")))
        let key = ObjectKey(namespace: "default", name: "a")
        await ReadMemo.$current.withValue(ReadMemo()) {
            for _ in 0..<3 { #expect(cache.get(key)?.json[path: "data", "k"] == "1") }
            #expect(counting.decodes.load(ordering: .relaxed) == 1)
            #expect(cache.get(namespace: "default", name: "b") != nil)
            #expect(counting.decodes.load(ordering: .relaxed) == 2, "another object is its own entry")
        }
    }

    @Test func aChangeAppliedDuringTheReconcileIsReadAfresh() async {
        let counting = Counting()
        let cache = ObjectCache<DynamicObject>(encoding: counting.encoding)
        _ = cache.apply(.apply(map("a", "1")))
        let key = ObjectKey(namespace: "default", name: "a")
        await ReadMemo.$current.withValue(ReadMemo()) {
            #expect(cache.get(key)?.json[path: "data", "k"] == "1")
            _ = cache.apply(.apply(map("a", "2")))
            #expect(cache.get(key)?.json[path: "data", "k"] == "2")
            _ = cache.apply(.delete(map("a", "2")))
            #expect(cache.get(key) == nil)
        }
        #expect(counting.decodes.load(ordering: .relaxed) == 2)
    }

    @Test func anEndedMemoKeepsNothingForTheTasksThatInheritedIt() async {
        let counting = Counting()
        let cache = ObjectCache<DynamicObject>(encoding: counting.encoding)
        _ = cache.apply(.apply(map("a", "1")))
        let memo = ReadMemo()
        let inherited = await ReadMemo.$current.withValue(memo) {
            _ = cache.get(namespace: "default", name: "a")
            return Task { ReadMemo.current }  // as a queue's timer task inherits it
        }.value
        memo.end()
        await ReadMemo.$current.withValue(inherited) {
            for _ in 0..<2 { _ = cache.get(namespace: "default", name: "a") }
        }
        #expect(inherited === memo)
        #expect(counting.decodes.load(ordering: .relaxed) == 3, "after end, reads decode and nothing is kept")
    }

    @Test func outsideAReconcileEveryReadDecodes() {
        let counting = Counting()
        let cache = ObjectCache<DynamicObject>(encoding: counting.encoding)
        _ = cache.apply(.apply(map("a", "1")))
        for _ in 0..<3 { _ = cache.get(namespace: "default", name: "a") }
        #expect(counting.decodes.load(ordering: .relaxed) == 3)
    }
}
