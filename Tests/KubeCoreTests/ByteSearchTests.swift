import KubeCore
import Testing

/// `containsBytes` against the standard library's own search, on the cases a byte search gets wrong first.
@Suite struct ByteSearchTests {
    static let cases: [(String, String)] = [
        ("", ""), ("abc", ""), ("", "a"), ("abc", "abc"), ("abc", "abcd"), ("xxabc", "abc"), ("abcxx", "abc"),
        ("aaab", "aab"), ("ababac", "abac"), ("toolkit.fluxcd.io/name", "toolkit.fluxcd.io"), ("kustomize.toolkit.fluxcd.i", "toolkit.fluxcd.io"),
        ("ünïcödé ✓", "ïcö"), ("ünïcödé ✓", "✓"), ("e\u{301}", "e"), (#"{"configMap":{"name":"x"}}"#, "configMap"),
    ]

    @Test(arguments: ByteSearchTests.cases)
    func findsExactlyWhatAByteSearchFinds(_ haystack: String, _ needle: String) {
        let expected = needle.isEmpty || Array(haystack.utf8).indices.contains { Array(haystack.utf8)[$0...].starts(with: needle.utf8) }
        #expect(haystack.containsBytes(needle) == expected)
        #expect(haystack[...].containsBytes(needle[...]) == expected, "substrings too")
    }
}
