import ArgumentParser
import Foundation
import KubeRuntime
import Logging

/// `--log-level` and `--log-format`, shared by the long-running commands.
struct LogOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Log format: text (one line per entry) or json (one object per line).")
    var logFormat = "text"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: \"\(logLevel)\" is not a log level") }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format: \"\(logFormat)\" is not text or json") }
    }

    /// Sends every logger to standard error at the chosen level and format, credentials redacted
    /// (``RedactingLogHandler``).
    func bootstrap() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json { return RedactingLogHandler(wrapping: JSONLogHandler(label: label, level: level)) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return RedactingLogHandler(wrapping: handler)
        }
    }
}
