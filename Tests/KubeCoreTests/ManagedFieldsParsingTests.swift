import KubeCore
import Testing

/// A reader that drops the API server's field bookkeeping can skip it while parsing: the same document as a
/// full parse with each object's `metadata.managedFields` removed, and nothing else removed.
@Suite struct ManagedFieldsParsingTests {
    static let managed =
        #"[{"manager":"serin","operation":"Update","fieldsV1":{"f:spec":{"f:x":{},"k:{\"a\":\"]}\"}":{}}},"time":"2026-12-07T21:49:36Z"}]"#

    /// An object whose template, spec and data also have members named `managedFields`: those are the user's.
    static func object(_ name: String) -> String {
        #"{"apiVersion":"v1","kind":"X","metadata":{"name":"\#(name)","managedFields":\#(managed),"labels":{"a":"b"}},"#
            + #""spec":{"managedFields":[1,2],"template":{"metadata":{"managedFields":[{"m":1}]}}},"data":{"managedFields":"[]"}}"#
    }

    static func withoutTopLevelManagedFields(_ text: String, at paths: [[String]]) throws -> JSONValue {
        var value = try JSONValue(parsing: text)
        for path in paths { value[pathComponents: ArraySlice(path + ["metadata", "managedFields"])] = nil }
        return value
    }

    @Test func anObjectAWatchEventAndAListLoseOnlyTheirObjectsManagedFields() throws {
        let object = Self.object("a")
        let event = #"{"type":"MODIFIED","object":\#(object)}"#
        let list = #"{"kind":"XList","metadata":{"resourceVersion":"7","managedFields":[]},"items":[\#(object),\#(Self.object("b")),5]}"#
        #expect(try JSONValue(parsingWithoutManagedFields: object.utf8) == Self.withoutTopLevelManagedFields(object, at: [[]]))
        #expect(try JSONValue(parsingWithoutManagedFields: event.utf8) == Self.withoutTopLevelManagedFields(event, at: [["object"]]))
        var expected = try JSONValue(parsing: list)
        expected[path: "metadata", "managedFields"] = nil
        var items = try #require(expected["items"]?.arrayValue)
        for index in 0..<2 { items[index][path: "metadata", "managedFields"] = nil }
        expected["items"] = .array(items)
        let parsed = try JSONValue(parsingWithoutManagedFields: list.utf8)
        #expect(parsed == expected)
        #expect(parsed["items"]?.arrayValue?.first?[path: "spec", "template", "metadata", "managedFields"] != nil, "a template's are the user's")
        #expect(parsed["items"]?.arrayValue?.first?[path: "metadata", "labels", "a"] == "b", "the rest of metadata stays, in order")
    }

    @Test func brokenOrCutDocumentsStillFail() throws {
        for text in [#"{"metadata":{"managedFields":[{"a":1}"#, #"{"metadata":{"managedFields":[]}"#, #"{"metadata":{"managedFields":[]},}"#] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue(parsingWithoutManagedFields: text.utf8) }
        }
        #expect(
            try JSONValue(parsingWithoutManagedFields: #"[{"metadata":{"managedFields":[]}}]"#.utf8) == [["metadata": ["managedFields": []]]],
            "a top-level array is not a Kubernetes document: parsed as it is")
        #expect(try JSONValue(parsingWithoutManagedFields: #"{"metadata":{"managedFields":null}}"#.utf8) == ["metadata": ["managedFields": .null]])
    }
}
