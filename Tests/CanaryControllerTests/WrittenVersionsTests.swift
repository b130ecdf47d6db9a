import KubeRuntime
import Testing

@testable import CanaryController

/// The last status write per Canary: a cache older than it is stale; a Canary that is gone is forgotten.
@Suite struct WrittenVersionsTests {
    @Test func aCacheOlderThanTheLastWriteIsStaleUntilTheCanaryIsForgotten() {
        let written = WrittenVersions()
        let key = ObjectKey(namespace: "test", name: "podinfo")
        written.record(key, resourceVersion: "42")
        written.record(key, resourceVersion: "41")  // an older answer arriving late keeps the newer
        #expect(written.isStale(key, cachedVersion: "41"))
        #expect(!written.isStale(key, cachedVersion: "42"))
        #expect(written.count == 1)
        written.forget(key)
        #expect(!written.isStale(key, cachedVersion: "1"), "a Canary made again under the name starts afresh")
        #expect(written.count == 0)
    }
}
