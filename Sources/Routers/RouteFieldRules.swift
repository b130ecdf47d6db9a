import CanaryAPI
import Foundation
import KubeCore

/// The rules routing objects' schemas hold their fields to (Gateway API's CRD patterns and limits, Istio's
/// and Contour's validation), as data. A router's validation applies them to the Canary fields it copies, so a
/// value the API server would answer with 422 is refused on the Canary, naming the Canary's field.
enum RouteFieldRules {
    /// A DNS-1123 subdomain, lower case (Gateway API's `PreciseHostname`, `parentRefs[].sectionName`).
    static let subdomain = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
    /// Gateway API's `Hostname`: a subdomain with an optional leading `*.` wildcard label only.
    static let gatewayHostname = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
    /// A DNS-1123 label (a namespace).
    static let label = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
    /// An HTTP header name as Gateway API takes it: an RFC 7230 token.
    static let httpToken = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"
    /// An HTTP header name as Istio's validation takes it.
    static let istioHeaderName = "^[-_A-Za-z0-9]+$"
    /// Istio's host: the first label may be `*`, `*<label>` or `*-<label>`; the others are DNS-1123 labels (any case).
    static let istioHost = "^(\\*|(\\*|\\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$"
    /// The HTTP methods Gateway API's `method` match and Istio's CORS `allowMethods` accept.
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]
    /// The `retryOn` conditions Istio's validation accepts (besides HTTP status codes).
    static let istioRetryOn: Set<String> = [
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
        "retriable-status-codes", "retriable-headers", "envoy-ratelimited", "http3-post-connect-failure",
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ]
    /// The `retryOn` values of Contour's `HTTPProxy` CRD enum.
    static let contourRetryOn: Set<String> = [
        "5xx", "gateway-error", "reset", "connect-failure", "retriable-4xx", "refused-stream", "retriable-status-codes",
        "retriable-headers", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ]
    /// Contour's CRD pattern for a duration (`timeoutPolicy.response`, `retryPolicy.perTryTimeout`).
    static let contourDuration =
        "^(((\\d*(\\.\\d*)?h)|(\\d*(\\.\\d*)?m)|(\\d*(\\.\\d*)?s)|(\\d*(\\.\\d*)?ms)|(\\d*(\\.\\d*)?us)|(\\d*(\\.\\d*)?µs)|(\\d*(\\.\\d*)?ns))+|infinity|infinite)$"

    /// `text` shortened for a message: a value of 300 KB is named by its start and length, never echoed.
    static func quoted(_ text: String) -> String {
        text.count <= 40 ? "\"\(text)\"" : "\"\(text.prefix(32))…\" (\(text.count) characters)"
    }

    /// Why `pattern` is not an RE2 regular expression (Go's `regexp`, which Envoy's and Gateway API's
    /// implementations use), `nil` when it compiles. ICU stands in for RE2: what ICU cannot compile is
    /// refused, and so are the constructs RE2 lacks (lookarounds, backreferences, atomic groups, possessive
    /// quantifiers); RE2 may still refuse a rare construct ICU takes.
    static func regexProblem(_ pattern: String) -> String? {
        let unsupported: [(String, String)] = [
            ("(?=", "lookahead"), ("(?!", "negative lookahead"), ("(?<=", "lookbehind"), ("(?<!", "negative lookbehind"),
            ("(?>", "atomic group"), ("\\k<", "named backreference"),
        ]
        for (construct, name) in unsupported where pattern.contains(construct) {
            return "\(quoted(pattern)) uses a \(name) (\(construct)), which RE2 does not support"
        }
        // A construct preceded by an even number of backslashes is not escaped.
        if pattern.range(of: #"(^|[^\\])(\\\\)*\\[1-9]"#, options: .regularExpression) != nil {
            return "\(quoted(pattern)) uses a backreference, which RE2 does not support"
        }
        if pattern.range(of: #"(^|[^\\])(\\\\)*[*+?}]\+"#, options: .regularExpression) != nil {
            return "\(quoted(pattern)) uses a possessive quantifier, which RE2 does not support"
        }
        // RE2's `(?P<name>…)` is ICU's `(?<name>…)`.
        return compileProblem(pattern.replacingOccurrences(of: "(?P<", with: "(?<"))
    }

    /// Why ICU cannot compile `pattern` (the stand-in for PCRE and RE2), `nil` when it can.
    static func compileProblem(_ pattern: String) -> String? {
        if pattern.isEmpty { return "an empty regular expression" }
        do {
            _ = try NSRegularExpression(pattern: pattern)
            return nil
        } catch {
            return "\(quoted(pattern)) is not a regular expression"
        }
    }
}

extension ValidationIssues {
    /// `text` must match `pattern` (an ICU pattern of ``RouteFieldRules``) and be 1 to `maximum` characters.
    mutating func matching(_ text: String, _ pattern: String, maximum: Int, _ field: String, _ what: String) {
        if text.isEmpty { return add(field, "must not be empty") }
        if text.count > maximum { return add(field, "\(RouteFieldRules.quoted(text)) is longer than \(maximum) characters") }
        if text.range(of: pattern, options: .regularExpression) == nil { add(field, "\(RouteFieldRules.quoted(text)) is not \(what)") }
    }

    /// `text` must be at most `maximum` characters (and at least `minimum`).
    mutating func length(_ text: String, minimum: Int = 1, maximum: Int, _ field: String) {
        if text.count < minimum { add(field, minimum == 1 ? "must not be empty" : "must be at least \(minimum) characters") }
        if text.count > maximum { add(field, "\(RouteFieldRules.quoted(text)) is longer than \(maximum) characters") }
    }

    /// `text`, a regular expression the proxy compiles with RE2, must be one.
    mutating func regex(_ text: String, _ field: String) {
        if text.isEmpty { return add(field, "an empty regular expression matches everything: use prefix \"/\" or leave the match out") }
        if let problem = RouteFieldRules.regexProblem(text) { add(field, problem) }
    }

    /// `value` must be a string; returns it, `nil` (reported) when it is not.
    mutating func string(_ value: JSONValue, _ field: String) -> String? {
        guard let text = value.stringValue else {
            add(field, "must be a string")
            return nil
        }
        return text
    }

    /// `value`, when present, must be an integer within `range`.
    mutating func integer(_ value: JSONValue?, _ range: ClosedRange<Int>, _ field: String) {
        guard let value, value != .null else { return }
        guard let number = value.intValue else { return add(field, "must be an integer") }
        self.range(number, range, field)
    }

    /// `count` list entries must be at most `maximum`.
    mutating func count(_ count: Int, maximum: Int, _ field: String, _ what: String) {
        if count > maximum { add(field, "\(count) \(what); the routing object takes at most \(maximum)") }
    }
}
