import Foundation
import KubeCore
import Testing

/// The scanner reads `metadata.resourceVersion` from a write's answer without building it, and answers only
/// when the full parser would say the same.
@Suite struct ResourceVersionScannerTests {
    static func scan(_ text: String) -> String? { ResourceVersionScanner.resourceVersion(in: Array(text.utf8)) }

    @Test func theVersionOfAnAnswerIsReadPastEveryOtherMember() {
        let answer = """
            {"apiVersion":"flagger.app/v1beta1","kind":"Canary",
             "spec":{"analysis":{"metrics":[{"name":"a","query":"sum(x{a=\\"}\\"}) [5m]"}],"nested":[[{"resourceVersion":"decoy"}]]}},
             "metadata" : { "name":"podinfo","labels":{"resourceVersion":"decoy"}, "resourceVersion" : "48213", "generation":3},
             "status":{"metadata":{"resourceVersion":"decoy"},"journal":[{"decision":["Advance {x} [y]"]}],"weight":-1.5e3,"ok":true,"none":null}}
            """
        #expect(Self.scan(answer) == "48213")
        #expect(Self.scan(answer) == (try? JSONValue(parsing: Array(answer.utf8)))?[path: "metadata", "resourceVersion"]?.stringValue)
    }

    @Test(arguments: [
        #"{"metadata":{"name":"a"}}"#,  // no version
        #"{"metadata":{"resourceVersion":"1"},"metadata":{"resourceVersion":"2"}}"#,  // a duplicate
        #"{"metadata":{"resourceVersion":"1","resourceVersion":"2"}}"#,
        #"{"meta\u0064ata":{"resourceVersion":"2"}}"#,  // an escaped key
        #"{"metadata":{"resourceVersion":"1\u0032"}}"#,  // an escaped value
        #"{"metadata":{"resourceVersion":12}}"#,  // not a string
        #"{"metadata":{"resourceVersion":"1"}"#,  // cut short
        #"{"metadata":{"resourceVersion":"1"}} trailing"#,
        #"["metadata"]"#, "", "{", #"{"a":"\"#, #"{"a":[[[[[[["#, #"{"metadata":"#,
    ])
    func anAnswerItIsNotSureOfIsLeftToTheParser(_ text: String) {
        #expect(Self.scan(text) == nil, "\(text)")
    }

    @Test func aByteBufferViewIsReadAsAnArray() {
        let bytes = Array(#"{"metadata":{"resourceVersion":"7"}}"#.utf8)
        #expect(ResourceVersionScanner.resourceVersion(in: bytes[...]) == "7")
    }
}
