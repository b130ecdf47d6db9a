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

    /// Counts how often it is described: a logger's metadata is redacted when an entry is written, not when set.
    final class Described: CustomStringConvertible, Sendable {
        let count = Atomic<Int>(0)
        var description: String {
            count.add(1, ordering: .relaxed)
            return "https://user:LAZY-pw@host/x"
        }
    }

    @Test func theLoggersOwnMetadataIsRedactedOnlyWhenAnEntryIsWritten() {
        let box = Box()
        var logger = Logger(label: "test") { _ in RedactingLogHandler(wrapping: Recording(box: box)) }
        logger.logLevel = .info
        let described = Described()
        logger[metadataKey: "endpoint"] = .stringConvertible(described)
        logger.debug("below the level: nothing is written")
        #expect(described.count.load(ordering: .relaxed) == 0, "not described while nothing is written")
        logger.info("state changed", metadata: ["endpoint": "http://a:ENTRY-pw@b"])  // the entry's own value wins
        logger[metadataKey: "reconcileID"] = "r1"
        logger.info("another")
        let lines = box.lines.withLock { $0 }
        #expect(lines.count == 2)
        #expect(lines.first?.contains("http://a:REDACTED@b") == true && lines.last?.contains("https://user:REDACTED@host/x") == true, "\(lines)")
        #expect(!lines.joined().contains("-pw") && lines.last?.contains("r1") == true, "\(lines)")
        #expect(described.count.load(ordering: .relaxed) == 1, "described for the one entry that carries it")
    }

    final class Box: Sendable { let lines = Mutex<[String]>([]) }
}
