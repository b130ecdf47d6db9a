import KubeCore

/// A human's request about one Canary's rollout, written by `kubectl serin promote|abort|retry|undo` as the
/// annotation `serin.dev/request` and carried out by the operator through its decisions, which then
/// remove it. An annotation no manifest sets, written with its own field manager: a GitOps tool applying
/// the Canary's manifest leaves it alone.
///
/// The value is JSON: `{"action": "promote", "revision": "<status.lastAppliedSpec>", "by": "alice",
/// "at": "<RFC 3339>"}`; a request for another revision than the one under way is refused, so a request
/// never reaches a later rollout.
///
/// Handled exactly once: the status write that carries a request out (or refuses it) records its
/// ``fingerprint(of:)`` in `status.lastHandledRequest`, and a request whose fingerprint is recorded is only
/// removed again. What it says reaches Events and alerts sanitized and bounded: a value over
/// ``maximumBytes`` or nested deeper than ``maximumDepth`` is refused with a Warning, and `by`, `revision`
/// and `at` are cut to ``maximumFieldLength`` characters with control characters escaped.
public struct ControlRequest: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        /// Finish the analysis now: promote the canary the normal way.
        case promote
        /// Roll back now.
        case abort
        /// Analyse again the revision that failed, without changing the spec.
        case retry
        /// Give the primary back the last version promoted before the current one, marking the current one
        /// failed (it is not promoted again until the target changes).
        case undo
    }

    public static let annotation = "serin.dev/request"
    /// Present while `kubectl serin pause` holds the Canary (the value says who and when).
    public static let pausedAnnotation = "serin.dev/paused"

    public var action: Action
    public var revision: String
    public var by: String
    public var at: String

    public init(action: Action, revision: String, by: String, at: String) {
        self.action = action
        self.revision = revision
        self.by = by
        self.at = at
    }

    /// The annotation's value.
    public var json: JSONValue {
        ["action": .string(action.rawValue), "revision": .string(revision), "by": .string(by), "at": .string(at)]
    }

    /// The largest annotation value read, in bytes: a larger one is refused unread (its size named in the
    /// Warning), so it can never become a large Event, alert or journal entry.
    public static let maximumBytes = 4096
    /// The deepest JSON nesting read: a request is one flat object.
    public static let maximumDepth = 16
    /// The most characters of `by`, `revision` and `at` carried into Events and alerts.
    public static let maximumFieldLength = 64

    /// What a Canary's annotations ask for.
    public enum Found: Sendable, Equatable {
        case none
        case request(ControlRequest)
        /// `serin.dev/request` is there but cannot be read: why.
        case malformed(String)
    }

    /// The request in `annotations`, its text fields sanitized (``sanitized(_:limit:)``). Pure.
    public static func find(in annotations: [String: String]?) -> Found {
        guard let text = annotations?[annotation] else { return .none }
        let size = text.utf8.count
        guard size <= maximumBytes else { return .malformed("is \(size) bytes, over the limit of \(maximumBytes) bytes") }
        let value: JSONValue
        do { value = try JSONValue(parsing: Array(text.utf8), maximumDepth: maximumDepth) } catch let error as JSONParseError {
            return .malformed("is not JSON: \(sanitized(error.reason, limit: 2 * maximumFieldLength)) at byte \(error.offset)")
        } catch {
            return .malformed("is not JSON")
        }
        guard let name = value["action"]?.stringValue, let action = Action(rawValue: name) else {
            return .malformed("action must be one of \(Action.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let revision = value["revision"]?.stringValue, !revision.isEmpty else { return .malformed("revision is missing") }
        let by = value["by"]?.stringValue.map { sanitized($0, limit: maximumFieldLength) }
        return .request(
            ControlRequest(
                action: action, revision: sanitized(revision, limit: maximumFieldLength),
                by: by.flatMap { $0.isEmpty ? nil : $0 } ?? "someone",
                at: sanitized(value["at"]?.stringValue ?? "", limit: maximumFieldLength)))
    }

    /// The fingerprint of an annotation value: `sha256:` and the first 16 bytes of its SHA-256, in hex.
    /// `status.lastHandledRequest` holds the last one handled. Pure.
    public static func fingerprint(of value: String) -> String {
        "sha256:" + SHA256.hex(SHA256.hash(Array(value.utf8)).prefix(16))
    }

    /// Who paused the Canary, when `serin.dev/paused` is set, sanitized. Pure.
    public static func pausedBy(_ annotations: [String: String]?) -> String? {
        guard let text = annotations?[pausedAnnotation] else { return nil }
        guard !text.isEmpty else { return "someone" }
        let value: JSONValue
        do {
            guard text.utf8.count <= maximumBytes else { return sanitized(text, limit: maximumFieldLength) }
            value = try JSONValue(parsing: Array(text.utf8), maximumDepth: maximumDepth)
        } catch {
            return sanitized(text, limit: maximumFieldLength)  // not JSON: the text itself names who
        }
        guard let by = value["by"]?.stringValue.map({ sanitized($0, limit: maximumFieldLength) }), !by.isEmpty else { return "someone" }
        return by
    }

    /// `text` safe to put in an Event, an alert or a terminal: control characters, format characters
    /// (bidirectional overrides, zero-width ones) and line or paragraph separators escaped as `\u{1B}`,
    /// and at most `limit` characters (Unicode scalars), the cut marked with `…`. Pure.
    public static func sanitized(_ text: String, limit: Int) -> String {
        var result = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            let piece: String.UnicodeScalarView
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                piece = "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars
            default:
                piece = String.UnicodeScalarView([scalar])
            }
            count += piece.count
            guard count <= limit else {
                result.append("…")
                break
            }
            result.append(contentsOf: piece)
        }
        return String(result)
    }
}
