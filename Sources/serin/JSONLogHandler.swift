import Foundation
import KubeCore
import Logging

/// One JSON object per line on standard error: `ts`, `level`, `logger`, `msg` and the metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var entry: JSONObject = [
            "ts": .string(KubeTime(Date()).description), "level": .string(event.level.rawValue),
            "logger": .string(label), "msg": .string("\(event.message)"),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { entry[key] = .string("\(value)") }
        FileHandle.standardError.write(Data((JSONValue.object(entry).serialized() + Array("\n".utf8))))
    }
}
