import KubeCore
import Testing

@Suite struct ChecksumTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256.hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1000)))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3", "several blocks")
    }

    @Test func goJSONSortsKeysByBytesAndEscapesAsGoDoes() {
        #expect(
            GoJSON.encode(stringMap: ["ui.properties": "color=blue", "game.properties": "lives=3"])
                == #"{"game.properties":"lives=3","ui.properties":"color=blue"}"#)
        #expect(GoJSON.encode(stringMap: ["c<d": "x&y\n", "a": "b"]) == #"{"a":"b","c\u003cd":"x\u0026y\n"}"#)
        #expect(GoJSON.quoted("tab\there\u{1}\u{2028}") == #""tab\there\u0001\u2028""#)
        #expect(GoJSON.encode(stringMap: nil) == "null")
    }
}
