import Foundation
import KubeCore
import Testing

/// ``JSONValue/init(encoding:)`` builds the document `JSONEncoder` (`.sortedKeys`) writes, without the text.
@Suite struct JSONValueEncoderTests {
    enum Phase: String, Codable { case progressing = "Progressing", failed = "Failed" }

    struct Inner: Codable { var name: String; var weight: Int?; var tags: [String] }
    struct Empty: Codable {}

    struct Everything: Codable {
        var text = "a/b \"quoted\" é😀 \u{1}"
        var flag = true
        var int = -42
        var int8: Int8 = -8
        var uint16: UInt16 = 65_535
        var int64 = Int64.min
        var uint64 = UInt64.max
        var doubles = [3.0, 0.1, 1e300, 1.5e-7, 1_152_921_504_606_846_976, -2, 9_007_199_254_740_993]
        var float: Float = 0.1
        var missing: String? = nil
        var present: Int? = 7
        var phase = Phase.failed
        var inner = [Inner(name: "x", weight: nil, tags: []), Inner(name: "y", weight: 5, tags: ["p", "q"])]
        var byName = ["zeta": 1, "Alpha": 2, "alpha": 3, "b10": 4, "b9": 5, "_": 6]
        var byNumber = [10: "ten", 2: "two"]
        var nested = [[1, 2], [], [3]]
        var empty = Empty()
        var data = Data([0, 1, 2, 250, 255])
        var url = URL(string: "https://example.com/a?b=c#d")!
        var decimal = Decimal(string: "12.5")!
        var date = Date(timeIntervalSinceReferenceDate: 1_000.25)
    }

    static func viaFoundation<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try JSONValue(parsing: encoder.encode(value))
    }

    @Test func everyKindOfValueIsTheDocumentJSONEncoderWrites() throws {
        let direct = try JSONValue(encoding: Everything())
        let foundation = try Self.viaFoundation(Everything())
        #expect(String(decoding: direct.serialized(), as: UTF8.self) == String(decoding: foundation.serialized(), as: UTF8.self))
        #expect(direct == foundation)
        struct Holding: Encodable { var json: JSONValue }
        let held = try JSONValue(encoding: Holding(json: ["keep": [1, 2.5, "order"], "a": .null]))
        #expect(String(decoding: held.serialized(), as: UTF8.self) == #"{"json":{"keep":[1,2.5,"order"],"a":null}}"#, "kept in its order")
    }

    @Test func nonFiniteNumbersAreRefusedWithTheirPathAndNothingEncodedIsRefusedAtTheTop() {
        struct Holder: Encodable { var values: [Double] }
        #expect {
            try JSONValue(encoding: Holder(values: [1, .nan]))
        } throws: { error in
            guard case EncodingError.invalidValue(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["values", "Index 1"]
        }
        #expect(throws: EncodingError.self) { try JSONValue(encoding: Float.infinity) }
        struct Nothing: Encodable { func encode(to encoder: any Encoder) {} }
        #expect(throws: EncodingError.self) { try JSONValue(encoding: Nothing()) }
        let nested = try? JSONValue(encoding: [Nothing()])
        #expect(nested == [[:]], "nested, it is an empty object, as JSONEncoder writes it")
    }
}
