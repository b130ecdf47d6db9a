import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Testing

/// The status the operator writes is the document Foundation's `JSONEncoder` wrote before
/// ``JSONValue/init(encoding:)`` stopped going through JSON text.
@Suite struct APIEncodingTests {
    @Test func aCanaryWithAJournalEncodesToTheDocumentJSONEncoderWrites() throws {
        var canary = makeCanary(phase: .progressing, applied: "v2")
        canary.status?.journal = (0..<JournalEntry.kept).map { JournalCompactionTests.entry($0) }.compacted
        canary.status?.canaryWeight = 30
        canary.status?.iterations = 2
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let pairs: [(JSONValue, JSONValue)] = [
            (try JSONValue(encoding: canary), try JSONValue(parsing: encoder.encode(canary))),
            (try JSONValue(encoding: canary.status), try JSONValue(parsing: encoder.encode(canary.status))),
        ]
        for (direct, foundation) in pairs {
            #expect(String(decoding: direct.serialized(), as: UTF8.self) == String(decoding: foundation.serialized(), as: UTF8.self))
        }
        #expect(pairs[1].0[path: "journal"]?.arrayValue?.count == JournalEntry.kept)
    }
}
