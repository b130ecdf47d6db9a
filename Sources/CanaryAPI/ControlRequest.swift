import KubeCore

/// A human's request about one Canary's rollout, written by `kubectl serin promote|abort|retry` as the
/// annotation `serin.dev/request` and carried out by the operator through its decisions, which then
/// remove it. An annotation no manifest sets, written with its own field manager: a GitOps tool applying
/// the Canary's manifest leaves it alone.
///
/// The value is JSON: `{"action": "promote", "revision": "<status.lastAppliedSpec>", "by": "alice",
/// "at": "<RFC 3339>"}`; a request for another revision than the one under way is refused, so a request
/// never reaches a later rollout.
public struct ControlRequest: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        /// Finish the analysis now: promote the canary the normal way.
        case promote
        /// Roll back now.
        case abort
        /// Analyse again the revision that failed, without changing the spec.
        case retry
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

    /// What a Canary's annotations ask for.
    public enum Found: Sendable, Equatable {
        case none
        case request(ControlRequest)
        /// `serin.dev/request` is there but cannot be read: why.
        case malformed(String)
    }

    /// The request in `annotations`. Pure.
    public static func find(in annotations: [String: String]?) -> Found {
        guard let text = annotations?[annotation] else { return .none }
        let value: JSONValue
        do { value = try JSONValue(parsing: Array(text.utf8)) } catch { return .malformed("not JSON") }
        guard let name = value["action"]?.stringValue, let action = Action(rawValue: name) else {
            return .malformed("action must be one of \(Action.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let revision = value["revision"]?.stringValue, !revision.isEmpty else { return .malformed("revision is missing") }
        return .request(ControlRequest(action: action, revision: revision, by: value["by"]?.stringValue ?? "someone",
                                       at: value["at"]?.stringValue ?? ""))
    }

    /// Who paused the Canary, when `serin.dev/paused` is set. Pure.
    public static func pausedBy(_ annotations: [String: String]?) -> String? {
        guard let text = annotations?[pausedAnnotation] else { return nil }
        do { return try JSONValue(parsing: Array(text.utf8))["by"]?.stringValue ?? "someone" } catch { return text.isEmpty ? "someone" : text }
    }
}
