import KubeCore
import Testing

/// The caches' compact form: the same document back, fewer bytes than JSON, nothing from bytes it did not write.
@Suite struct CompactJSONCodecTests {
    static let service: JSONValue = [
        "apiVersion": "v1", "kind": "Service",
        "metadata": [
            "name": "podinfo-primary", "namespace": "test", "uid": "cb06d014-206f-4d50-a295-52b65ac998e8", "resourceVersion": "136",
            "labels": ["app": "podinfo-primary"], "annotations": ["helm.toolkit.fluxcd.io/driftDetection": "disabled"],
            "ownerReferences": [["apiVersion": "flagger.app/v1beta1", "kind": "Canary", "name": "podinfo", "controller": true]],
        ],
        "spec": [
            "type": "ClusterIP", "clusterIP": "10.96.0.11", "sessionAffinity": "None",
            "ports": [["name": "http", "port": 80, "protocol": "TCP", "targetPort": 9898]], "selector": ["app": "podinfo-primary"],
        ],
    ]

    @Test func aDocumentReadsBackWithItsOrderAndItsNumbersKinds() throws {
        let codec = CompactJSONCodec()
        let text =
            #"{"z":1,"a":[null,true,false,-1,0,9223372036854775807,-9223372036854775808,18446744073709551615,1.5,-0.0,1e300],"#
            + #""s":"","u":"é ☃ \u0000","m":{"b":{},"a":[]},"long":"\#(String(repeating: "x", count: 300))"}"#
        let value = try JSONValue(parsing: Array(text.utf8))
        let decoded = codec.decode(codec.encode(value))
        #expect(decoded == value)
        #expect(decoded?.objectValue?.keys.elements == ["z", "a", "s", "u", "m", "long"])
        #expect(decoded?.serialized() == value.serialized(), "the same JSON text, number kinds included")
    }

    @Test func objectsOfOneCacheShareTheirNamesAndTakeLessThanHalfTheirJSON() throws {
        let codec = CompactJSONCodec()
        let first = codec.encode(Self.service)
        let tableAfterFirst = codec.tableCount
        var second = Self.service
        second[path: "metadata", "name"] = "podinfo-canary"
        second[path: "metadata", "uid"] = "0d9e1b3c-7a41-4d5e-8f20-6c1b9a7e5d42"
        let encoded = codec.encode(second)
        let json = second.serialized().count
        #expect(codec.tableCount == tableAfterFirst + 1, "only the new name enters the table; the UID is written inline")
        #expect(encoded.count * 2 < json, "\(encoded.count) bytes, JSON \(json)")
        #expect(first.capacity - first.count < 16 && encoded.capacity - encoded.count < 16, "buffers of their size, to malloc's rounding")
        #expect(codec.decode(encoded) == second)
    }

    @Test func aPayloadNeverEntersTheTable() throws {
        let codec = CompactJSONCodec()
        let secret: JSONValue = ["kind": "Secret", "metadata": ["name": "token"], "data": ["password": "aHVudGVyMg=="], "stringData": ["api": "key"]]
        let encoded = codec.encode(secret)
        #expect(codec.tableCount == 7, "kind, Secret, metadata, name, token, data, stringData: \(codec.tableCount)")
        #expect(codec.decode(encoded) == secret)
    }

    @Test func bytesItDidNotWriteReadAsNothing() {
        let codec = CompactJSONCodec()
        let encoded = codec.encode(Self.service)
        for cut in [0, 1, encoded.count / 2, encoded.count - 1] {
            #expect(codec.decode(Array(encoded.prefix(cut))) == nil, "cut at \(cut)")
        }
        #expect(codec.decode(encoded + [0]) == nil, "a trailing byte")
        #expect(CompactJSONCodec().decode(encoded) == nil, "another codec's table")
        #expect(codec.decode([9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) == nil, "a count beyond the bytes")
        #expect(codec.decode([6, 2, 0xc3, 0x28]) == nil, "invalid UTF-8")
        #expect(codec.decode(Array(repeating: 8, count: 2000) + [1]) == nil, "nested too deep")
    }

    /// Bytes that name a member twice (the codec never writes them) decode to nothing, never to an object
    /// with a key twice; in small objects (searched key by key) and large ones (hashed) alike.
    @Test(arguments: [2, 20])
    func aMemberNamedTwiceIsRefused(members: Int) {
        let codec = CompactJSONCodec()
        // Tags: 9 object, 6 inline string, 0 null. Names "k0", "k1", … and the last named as the first.
        func object(_ names: [String]) -> [UInt8] {
            [9, UInt8(names.count)] + names.flatMap { [6, UInt8($0.utf8.count)] + Array($0.utf8) + [0] }
        }
        let names = (0..<members).map { "k\($0)" }
        #expect(codec.decode(object(names)) == .object(JSONObject(uniqueKeysWithValues: names.map { ($0, .null) })))
        #expect(codec.decode(object(names.dropLast() + ["k0"])) == nil)
        // Same length, different bytes: still two members.
        #expect(codec.decode(object(["ab", "ba"]))?["ba"] == .null)
    }
}
