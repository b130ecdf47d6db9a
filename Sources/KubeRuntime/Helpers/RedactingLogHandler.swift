import KubeCore
import Logging

/// A log handler that redacts credentials (``Redaction``) from every entry before another handler writes it:
/// the message, the entry's metadata, the handler's own metadata and the attached error, at every level.
/// `serin` wraps its stderr handlers in it, so no code path has to remember to redact what it logs.
public struct RedactingLogHandler: LogHandler {
    private var inner: any LogHandler

    public init(wrapping inner: any LogHandler) { self.inner = inner }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.mapValues(Self.redacted) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.redacted) }
    }

    public func log(event: LogEvent) {
        var safe = event
        safe.message = "\(Redaction.scrub(event.message.description))"
        var metadata = event.metadata?.mapValues(Self.redacted)
        if let error = event.error {
            if metadata?["error"] == nil { metadata = (metadata ?? [:]).merging(["error": .string(Redaction.scrub("\(error)"))]) { old, _ in old } }
            safe.error = nil
        }
        safe.metadata = metadata
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
