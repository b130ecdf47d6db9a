import Foundation
import KubeCore
import Synchronization

/// One finished span, as OTLP carries it.
struct TraceSpan: Sendable, Equatable {
    var traceID: String
    var spanID: String
    var parentSpanID: String?
    var name: String
    var start: Date
    var end: Date
    var attributes: [String: String] = [:]
    /// Why the span's work failed; `nil` when it did not.
    var error: String?

    /// The span as an OTLP/JSON `Span` (ids in hex, times in Unix nanoseconds as strings), credentials in its
    /// texts redacted (``Redaction``). Pure.
    var otlp: JSONValue {
        func nanos(_ date: Date) -> JSONValue { .string(String(UInt64(max(0, date.timeIntervalSince1970) * 1e9))) }
        var span: JSONValue = [
            "traceId": .string(traceID), "spanId": .string(spanID), "name": .string(name), "kind": 1,
            "startTimeUnixNano": nanos(start), "endTimeUnixNano": nanos(max(start, end)),
            "attributes": .array(
                attributes.sorted { $0.key < $1.key }.map { ["key": .string($0.key), "value": ["stringValue": .string(Redaction.scrub($0.value))]] }),
            "status": error.map { ["code": 2, "message": .string(Redaction.scrub($0))] } ?? ["code": 1],
        ]
        if let parentSpanID { span["parentSpanId"] = .string(parentSpanID) }
        return span
    }

    /// Ids derived from `seed` (a rollout's trace and root span are the same across reconciles and restarts).
    static func ids(from seed: String) -> (traceID: String, spanID: String) {
        let hex = SHA256.hex(SHA256.hash(Array(seed.utf8)))
        return (String(hex.prefix(32)), String(hex.dropFirst(32).prefix(16)))
    }

    /// A fresh span id.
    static func randomSpanID() -> String {
        (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

/// The spans of one reconcile step, collected while it runs.
public final class StepTrace: Sendable {
    public let traceID: String
    let spanID: String
    private let spans = Mutex<[TraceSpan]>([])

    init(traceID: String) {
        self.traceID = traceID
        self.spanID = TraceSpan.randomSpanID()
    }

    /// Runs `body` as a child span of the step named `name`.
    public func measure<T>(_ name: String, attributes: [String: String] = [:], _ body: () async throws -> T) async throws -> T {
        let start = Date()
        do {
            let result = try await body()
            record(
                TraceSpan(
                    traceID: traceID, spanID: TraceSpan.randomSpanID(), parentSpanID: spanID, name: name, start: start, end: Date(),
                    attributes: attributes))
            return result
        } catch {
            record(
                TraceSpan(
                    traceID: traceID, spanID: TraceSpan.randomSpanID(), parentSpanID: spanID, name: name, start: start, end: Date(),
                    attributes: attributes, error: "\(error)"))
            throw error
        }
    }

    func record(_ span: TraceSpan) { spans.withLock { $0.append(span) } }

    var children: [TraceSpan] { spans.withLock { $0 } }
}
