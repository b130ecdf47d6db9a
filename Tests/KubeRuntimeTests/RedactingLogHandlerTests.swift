import KubeRuntime
import Logging
import Synchronization
import Testing

/// Every entry through ``RedactingLogHandler`` reaches the handler it wraps without credentials.
@Suite struct RedactingLogHandlerTests {
    /// Keeps what it is given, as a handler writing to stderr would write it.
    struct Recording: LogHandler {
        let box: Box
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            box.lines.withLock { $0.append("\(event.message) \(all.sorted { $0.key < $1.key }) \(event.error.map { "\($0)" } ?? "")") }
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    @Test func messagesMetadataAndErrorsAreRedactedAtEveryLevel() {
        let box = Box()
        var logger = Logger(label: "test") { _ in RedactingLogHandler(wrapping: Recording(box: box)) }
        logger.logLevel = .trace
        logger[metadataKey: "server"] = "http://u:HANDLER-pw@prom:9090"
        logger.trace("query http://u:MSG-pw@prom:9090/api failed")
        logger.warning(
            "event webhook failed",
            metadata: [
                "url": "https://hooks.example/services/T0/B0/abcdefghijklmnopqrstuvwx",
                "nested": ["list": ["Bearer NESTED-token"]],
            ])
        logger.error("post failed", error: Failure(description: "http://a:ERROR-pw@x/y: refused"))
        let text = box.lines.withLock { $0.joined(separator: "\n") }
        for secret in ["HANDLER-pw", "MSG-pw", "abcdefghijklmnopqrstuvwx", "NESTED-token", "ERROR-pw"] {
            #expect(!text.contains(secret), "\(secret) in \(text)")
        }
        #expect(text.contains("http://u:REDACTED@prom:9090/api failed") && text.contains("Bearer REDACTED"), "\(text)")
        #expect(box.lines.withLock { $0.count } == 3)
    }

    final class Box: Sendable { let lines = Mutex<[String]>([]) }
}
