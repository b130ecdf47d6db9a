import Foundation
import KubeCore

/// Serin: how a step's route matches a string of a request (a header's value, the method, the path), as
/// Argo Rollouts writes it: exactly one of `exact`, `prefix` or `regex` (the whole value).
public enum StringMatch: Sendable, Equatable, Hashable {
    case exact(String)
    case prefix(String)
    case regex(String)

    /// Parses `{exact: v}`, `{prefix: v}` or `{regex: v}`; an issue naming the field otherwise.
    static func parse(_ json: JSONValue, _ field: String, into issues: inout ValidationIssues) -> StringMatch? {
        guard let object = UnknownKeys.object(json, known: ["exact", "prefix", "regex"], field, into: &issues) else { return nil }
        let set = object.compactMap { key, value in value.stringValue.map { (key, $0) } }
        if set.count != object.count { issues.add(field, "exact, prefix and regex take a string") }
        guard set.count == 1, let (kind, value) = set.first else {
            issues.add(field, "set exactly one of exact, prefix or regex (\(set.count) set)")
            return nil
        }
        switch kind {
        case "exact": return .exact(value)
        case "prefix": return .prefix(value)
        default:
            do {
                _ = try NSRegularExpression(pattern: value)
            } catch {
                issues.add("\(field).regex", "\"\(value)\" is not a regular expression")
                return nil
            }
            return .regex(value)
        }
    }

    /// `{exact: v}`, `{prefix: v}` or `{regex: v}`: Argo's form, and Istio's `StringMatch`.
    public var json: JSONValue {
        switch self {
        case .exact(let value): ["exact": .string(value)]
        case .prefix(let value): ["prefix": .string(value)]
        case .regex(let value): ["regex": .string(value)]
        }
    }

    /// The match read back from its ``json`` form; `nil` for any other value.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, object.count == 1, let member = object.elements.first, let text = member.value.stringValue else {
            return nil
        }
        switch member.key {
        case "exact": self = .exact(text)
        case "prefix": self = .prefix(text)
        case "regex": self = .regex(text)
        default: return nil
        }
    }

    /// `name = v`, or `name = REDACTED` for a header whose name says it holds a credential (`Authorization`,
    /// `X-Api-Key`, `Cookie`): how Events, the status and the dashboard show a header's match.
    public func summary(header name: String) -> String {
        let secret = Redaction.isSensitiveParameter(name) || name.lowercased() == "cookie"
        return secret ? "\(name) \(summary.prefix { $0 != " " }) \(Redaction.mask)" : "\(name) \(summary)"
    }

    /// `= v`, `^= v`, `~ v`: how Events and the status show it.
    public var summary: String {
        switch self {
        case .exact(let value): "= \(value)"
        case .prefix(let value): "^= \(value)"
        case .regex(let value): "~ \(value)"
        }
    }
}
