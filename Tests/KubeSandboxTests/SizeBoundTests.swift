import KubeCore
import Testing

@testable import KubeAPIServer

/// The size bound that spares writing out every stored object to check etcd's limit.
@Suite struct SizeBoundTests {
    static let values: [JSONValue] = [
        .null, true, false, 0, -9_223_372_036_854_775_807, 1.0e-300, -123.456e200, "", "plain",
        .string("quotes \" and \\ backslashes, \n\t\r and \u{01} controls"), .string("ünïcödé ✓ 🚀"),
        ["a": [1, 2, ["b": .null]], "escaped \"key\"\n": "x", "deep": [[[[]]]]],
        .array((0..<100).map { .string(String(repeating: "\u{7}", count: $0)) }),
    ]

    @Test(arguments: SizeBoundTests.values)
    func theBoundIsNeverBelowTheWrittenSize(_ value: JSONValue) {
        #expect(ObjectStore.serializedSizeBound(value) >= value.serialized().count)
    }
}
