import Foundation
import KubeCore
import Testing

/// Values from objects never trap a conversion: they are checked, clamped, or an error naming the field.
@Suite struct CheckedConversionTests {
    @Test func goDurationsBeyondInt64NanosecondsAreErrors() throws {
        #expect(try GoDuration(parsing: "2562047h").nanoseconds == 2_562_047 * 3_600_000_000_000)
        for text in ["2562047h47m16.854775808s", "9223372036854775807s", "2562048h", "99999999999999999999999999h", "-2562047h47m17s"] {
            #expect(throws: GoDurationError.self, "\(text)") { try GoDuration(parsing: text) }
        }
    }

    @Test func durationsConvertWithoutTrapping() {
        #expect(Duration.seconds(Int64.max).clampedNanoseconds == Int64.max)
        #expect(Duration.seconds(Int64.min).clampedNanoseconds == Int64.min)
        #expect(Duration.clampedSeconds(.infinity) == .nanoseconds(Int64.max))
        #expect(Duration.clampedSeconds(.nan) == .zero)
        #expect(Duration.clampedSeconds(1.5) == .milliseconds(1500))
        #expect(Int(saturating: 1e300) == Int.max)
        #expect(Int(saturating: -Double.infinity) == Int.min)
        #expect(UInt64(saturating: -5) == 0)
        #expect(Int32(saturating: 41.9) == 41)
    }

    struct Port: Decodable, Equatable {
        var port: Int
        var weights: [UInt8]?
        var extra: JSONValue?
    }

    @Test func decodingNamesTheFieldAndTheProblem() throws {
        func message(_ json: JSONValue) -> String? {
            do { _ = try json.decode(as: Port.self); return nil } catch let error as DecodingError { return error.fieldMessage } catch {
                return "\(error)"
            }
        }
        #expect(message(["port": .double(8000.5)]) == "port: expected an integer, got 8000.5")
        #expect(message(["port": .double(1e30)]) == "port: 1e+30 is out of range for Int")
        #expect(message(["port": "80"]) == "port: expected a number, got the string \"80\"")
        #expect(message(["port": .null]) == "port: required")
        #expect(message([:]) == "port: required")
        #expect(message(["port": 1, "weights": [1, 300]]) == "weights[1]: 300 is out of range for UInt8")
        #expect(message(["port": 1, "weights": "x"]) == "weights: expected an array, got the string \"x\"")
        let exact = try (["port": .double(80.0), "extra": ["b": 1, "a": .number(.uint(UInt64.max))]] as JSONValue).decode(as: Port.self)
        #expect(exact.port == 80)
        #expect(exact.extra?.objectValue?.keys.elementsEqual(["b", "a"]) == true, "a JSONValue field keeps the document's member order")
        #expect(exact.extra?["a"] == .number(.uint(UInt64.max)))
    }

    static func nested(_ depth: Int) -> String {
        String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
    }

    @Test func tooDeepDocumentsCanBeReadWithTheDeepPartsPruned() throws {
        let text = "{\"items\":[{\"metadata\":{\"name\":\"deep\"},\"spec\":\(CheckedConversionTests.nested(600))},{\"metadata\":{\"name\":\"ok\"}}]}"
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        let pruned = try JSONValue(parsingPruningTooDeep: Array(text.utf8))
        #expect(pruned["items"]?[0]?[path: "metadata", "name"] == "deep")
        #expect(pruned["items"]?[0]?.containsPruned == true)
        #expect(pruned["items"]?[1]?.containsPruned == false)
        #expect(try JSONValue(parsing: Array(CheckedConversionTests.nested(600).utf8), maximumDepth: 1000)["a"] != nil)
        #expect(throws: JSONParseError.self) { try JSONValue(parsingPruningTooDeep: Array("{\"a\":[[[".utf8)) }
    }
}
