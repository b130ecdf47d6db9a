import Foundation
import KubeCore

/// Istio's choice of an HTTP route: the first whose `match` holds (one block of it, all its conditions),
/// a route without `match` taking everything. Supports `headers`, `withoutHeaders`, `uri`, `queryParams`
/// and `method` with `exact`, `prefix` and `regex`; a block with a condition it cannot judge
/// (`sourceLabels`, `port`, `authority`…) does not hold.
enum RouteMatcher {
    static func firstRoute(_ routes: [JSONValue], for request: RequestAttributes) -> JSONValue? {
        routes.first { route in
            guard let blocks = route["match"]?.arrayValue, !blocks.isEmpty else { return true }
            return blocks.contains { holds($0, for: request) }
        }
    }

    static func holds(_ block: JSONValue, for request: RequestAttributes) -> Bool {
        for (key, condition) in block.objectValue ?? [:] {
            switch key {
            case "headers":
                for (name, match) in condition.objectValue ?? [:] {
                    guard let value = request.headers[name.lowercased()], matches(match, value) else { return false }
                }
            case "withoutHeaders":
                for (name, match) in condition.objectValue ?? [:] {
                    if let value = request.headers[name.lowercased()], matches(match, value) { return false }
                }
            case "queryParams":
                for (name, match) in condition.objectValue ?? [:] {
                    guard let value = request.query[name], matches(match, value) else { return false }
                }
            case "uri":
                if let path = request.path, !matches(condition, path) { return false }
            case "method":
                if let method = request.method, !matches(condition, method) { return false }
            case "name", "ignoreUriCase":
                continue
            default:
                return false
            }
        }
        return true
    }

    /// An Istio `StringMatch`: `exact`, `prefix` or `regex` (the whole value).
    static func matches(_ match: JSONValue, _ value: String) -> Bool {
        if let exact = match["exact"]?.stringValue { return value == exact }
        if let prefix = match["prefix"]?.stringValue { return value.hasPrefix(prefix) }
        if let pattern = match["regex"]?.stringValue {
            return value.range(of: "^(?:\(pattern))$", options: .regularExpression) != nil
        }
        return false
    }
}
