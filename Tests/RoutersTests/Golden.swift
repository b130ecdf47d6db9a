import Foundation
import KubeCore
import Testing

/// Golden JSON: a builder's output compared with a checked-in file (`Golden/<name>.json`), member order
/// ignored. `SERIN_UPDATE_GOLDEN=1` rewrites the files instead; review their diff before committing.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ value: JSONValue, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent("\(name).json")
        let pretty = try JSONSerialization.data(
            withJSONObject: JSONSerialization.jsonObject(with: Data(value.serialized())),
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        if ProcessInfo.processInfo.environment["SERIN_UPDATE_GOLDEN"] == "1" {
            try (String(decoding: pretty, as: UTF8.self) + "\n").write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let stored = try? Data(contentsOf: file) else {
            Issue.record("no golden file \(name).json: run with SERIN_UPDATE_GOLDEN=1 and review it", sourceLocation: sourceLocation)
            return
        }
        let expected = try JSONValue(parsing: Array(stored))
        #expect(
            value.canonical == expected.canonical,
            "\(name).json differs; got:\n\(String(decoding: pretty, as: UTF8.self))", sourceLocation: sourceLocation)
    }
}
