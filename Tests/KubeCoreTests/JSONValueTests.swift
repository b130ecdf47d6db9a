import Foundation
import KubeCore
import Testing

/// A small deterministic generator (SplitMix64), so failures reproduce from the seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomJSON {
    static let alphabet: [Character] = Array("abcXYZ019 _-./\"\\\n\t\u{01}é€😀")

    static func string(_ rng: inout SeededGenerator) -> String {
        String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func number(_ rng: inout SeededGenerator) -> JSONNumber {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return .int(Int64.random(in: .min ... .max, using: &rng))
        case 1: return .int(Int64.random(in: -1000...1000, using: &rng))
        case 2: return .uint(UInt64.random(in: UInt64(Int64.max) + 1 ... .max, using: &rng))
        case 3: return .double(Double(bitPattern: UInt64.random(in: 0 ... .max, using: &rng)).finiteOrZero)
        case 4: return .double(Double.random(in: -1e6...1e6, using: &rng))
        default:
            return .double([0.1, 1e-300, Double.leastNonzeroMagnitude, 1.7976931348623157e308, -0.5, 2.5e20][Int.random(in: 0..<6, using: &rng)])
        }
    }

    static func value(_ rng: inout SeededGenerator, depth: Int) -> JSONValue {
        let leafOnly = depth >= 5
        switch Int.random(in: 0..<(leafOnly ? 4 : 6), using: &rng) {
        case 0: return [.null, .bool(true), .bool(false)][Int.random(in: 0..<3, using: &rng)]
        case 1: return .number(number(&rng))
        case 2, 3: return .string(string(&rng))
        case 4: return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
        default:
            var members = JSONObject()
            for _ in 0..<Int.random(in: 0...6, using: &rng) { members[string(&rng)] = value(&rng, depth: depth + 1) }
            return .object(members)
        }
    }
}

extension Double {
    var finiteOrZero: Double { isFinite ? self : 0 }
}

@Suite struct JSONValueTests {
    @Test(arguments: 0..<200)
    func randomDocumentsSurviveDecodeAndEncodeUnchanged(seed: Int) throws {
        var rng = SeededGenerator(state: UInt64(seed))
        let document = RandomJSON.value(&rng, depth: 0)
        let text = document.serialized()
        let decoded = try JSONValue(parsing: text)
        #expect(decoded == document)
        #expect(decoded.serialized() == text, "re-encoding changed the bytes")
    }

    /// The stable hash is FNV-1a over the canonical form's bytes. Targets' revisions and primaries' source
    /// hashes are stored in annotations and statuses, so the hash must not move when it is computed another way.
    @Test(arguments: 0..<200)
    func theStableHashIsTheHashOfTheCanonicalBytes(seed: Int) {
        var rng = SeededGenerator(state: UInt64(seed) &+ 7919)
        let document = RandomJSON.value(&rng, depth: 0)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in document.canonical.serialized() { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        #expect(document.stableHash == String(repeating: "0", count: 16 - hex.count) + hex)
    }

    /// A pod template's hash, members given out of order, against FNV-1a computed elsewhere (Python) over
    /// `{"metadata":{"labels":{"app":"podinfo"}},"spec":{"containers":[{"image":…,"name":"podinfo","ports":[…]}]}}`.
    @Test func aKnownTemplateKeepsItsHash() {
        let template: JSONValue = [
            "spec": ["containers": [["ports": [["containerPort": 9898]], "name": "podinfo", "image": "ghcr.io/stefanprodan/podinfo:6.0.1"]]],
            "metadata": ["labels": ["app": "podinfo"]],
        ]
        #expect(template.stableHash == "a14e7cc790bb2f06")
    }

    @Test func integersKeepAllSixtyFourBits() throws {
        let text = #"{"a":9223372036854775807,"b":-9223372036854775808,"c":18446744073709551615,"d":9007199254740993}"#
        let value = try JSONValue(parsing: text)
        #expect(value["a"] == .number(.int(.max)))
        #expect(value["b"] == .number(.int(.min)))
        #expect(value["c"] == .number(.uint(.max)))
        #expect(value["d"]?.int64Value == 9_007_199_254_740_993)  // not representable as a Double
        #expect(value.jsonString == text)
    }

    @Test func floatsRoundTripExactly() throws {
        for text in ["0.1", "1e-300", "5e-324", "1.7976931348623157e+308", "-2.5", "123456.789"] {
            let value = try JSONValue(parsing: text)
            let reparsed = try JSONValue(parsing: value.jsonString)
            #expect(reparsed.doubleValue == Double(text), "\(text) became \(value.jsonString)")
        }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "1e400") }
    }

    @Test func memberOrderIsKept() throws {
        let text = #"{"zeta":1,"alpha":2,"mid":{"y":true,"x":null}}"#
        #expect(try JSONValue(parsing: text).jsonString == text)
    }

    /// A later duplicate member replaces the first one's value and keeps its place, in objects below 16
    /// members (gathered in arrays), above (in a dictionary) and crossing from one to the other.
    @Test(arguments: [3, 15, 16, 17, 40])
    func aLaterDuplicateMemberWinsInPlace(_ count: Int) throws {
        let names = (0..<count).map { "member-\($0)" }
        let duplicated = [names[1], names[count - 1], names[0]]
        let members = names.enumerated().map { "\"\($1)\":\($0)" } + duplicated.map { "\"\($0)\":\"again\"" }
        let parsed = try JSONValue(parsing: "{" + members.joined(separator: ",") + "}")
        let object = try #require(parsed.objectValue)
        #expect(Array(object.keys) == names)
        for (position, name) in names.enumerated() {
            #expect(object[name] == (duplicated.contains(name) ? "again" : .number(.int(Int64(position)))))
        }
    }

    @Test func equalityIgnoresMemberOrder() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"b":2}"#) == JSONValue(parsing: #"{"b":2,"a":1}"#))
        #expect(try JSONValue(parsing: #"[1,2]"#) != JSONValue(parsing: #"[2,1]"#))
    }

    @Test func escapesAndUnicodeDecode() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/d\n\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\né😀"))
        #expect(value.jsonString == #""a\"b\\c/d\né😀""#)
    }

    @Test(arguments: [
        ("", "unexpected end of input"), ("{", "expected a member name"), (#"{"a" 1}"#, "expected ':'"),
        ("[1,]", "unexpected character"), ("01", "leading zero"), (#""\x""#, "invalid escape"),
        ("tru", "invalid literal"), ("1 2", "unexpected data after"), (#""\ud800""#, "unpaired surrogate"),
        ("\"a\u{01}\"", "control character"),
    ])
    func invalidDocumentsNameTheProblem(input: String, expected: String) {
        #expect {
            try JSONValue(parsing: input)
        } throws: { error in
            (error as? JSONParseError)?.description.contains(expected) ?? false
        }
    }

    @Test func deepNestingIsRefusedInsteadOfCrashing() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
    }

    @Test func pathSubscriptsReadAndWrite() {
        var value: JSONValue = ["spec": ["replicas": 3]]
        #expect(value[path: "spec", "replicas"]?.intValue == 3)
        value[path: "spec", "template", "metadata", "labels"] = ["app": "web"]
        #expect(value[path: "spec", "template", "metadata", "labels", "app"] == "web")
        value[path: "spec", "replicas"] = nil
        #expect(value[path: "spec", "replicas"] == nil)
    }

    @Test func typedValuesDecodeFromAndEncodeToJSON() throws {
        let json: JSONValue = ["name": "web", "namespace": "demo", "generation": 4, "labels": ["app": "web"]]
        let meta = try json.decode(as: ObjectMeta.self)
        #expect(meta.name == "web" && meta.generation == 4 && meta.labels == ["app": "web"])
        #expect(ObjectMeta(json: json) == meta)
        #expect(try JSONValue(encoding: meta) == meta.json)
    }

    @Test func aReplacingPatchWritesEverythingAndRemovesWhatIsGone() throws {
        let previous: JSONValue = ["phase": "Progressing", "cookie": "a=b", "tracked": ["configmap/one": "1", "secret/two": "2"]]
        let current: JSONValue = ["phase": "Succeeded", "tracked": ["secret/two": "2"]]
        let patch = current.replacing(previous)
        #expect(patch == ["phase": "Succeeded", "cookie": .null, "tracked": ["secret/two": "2", "configmap/one": .null]])
        #expect(previous.applyingMergePatch(patch) == current)
        let edited: JSONValue = ["phase": "Failed", "cookie": "a=b", "tracked": ["configmap/one": "1"], "other": 1]
        #expect(
            edited.applyingMergePatch(patch) == ["phase": "Succeeded", "tracked": ["secret/two": "2"], "other": 1],
            "a hand edit of what the writer owns is overwritten; what it never held is kept")
        #expect(current.replacing(nil) == current)
    }
}
