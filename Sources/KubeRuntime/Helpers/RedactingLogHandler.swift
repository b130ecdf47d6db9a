import KubeCore
import Logging

/// A log handler that redacts credentials (``Redaction``) from every entry before another handler writes it:
/// the message, the entry's metadata, the handler's own metadata and the attached error, at every level.
/// `serin` wraps its stderr handlers in it, so no code path has to remember to redact what it logs.
///
/// The handler's own metadata (`canary=`, `reconcileID=`, …, set on every reconcile's logger) is kept as given
/// and redacted only when an entry is written: most loggers that get metadata never log at the level that is on.
public struct RedactingLogHandler: LogHandler {
    private var inner: any LogHandler

    public init(wrapping inner: any LogHandler) {
        self.inner = inner
        metadata = inner.metadata
        self.inner.metadata = [:]
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    /// The handler's own metadata, unredacted until an entry is written.
    public var metadata: Logger.Metadata

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var safe = event
        safe.message = "\(Redaction.scrub(event.message.description))"
        var merged = metadata
        if let own = event.metadata { merged.merge(own) { _, entry in entry } }
        var redacted = merged.mapValues(Self.redacted)
        if let error = event.error {
            if redacted["error"] == nil { redacted["error"] = .string(Redaction.scrub("\(error)")) }
            safe.error = nil
        }
        safe.metadata = redacted.isEmpty ? nil : redacted
        inner.log(event: safe)
    }

    /// A metadata value with every string in it redacted.
    static func redacted(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(Redaction.scrub(text))
        case .stringConvertible(let convertible): .string(Redaction.scrub(convertible.description))
        case .array(let items): .array(items.map(redacted))
        case .dictionary(let dictionary): .dictionary(dictionary.mapValues(redacted))
        @unknown default: .string(Redaction.scrub("\(value)"))
        }
    }
}
