import Foundation
import KubeCore

/// Serin: a `setHeaderRoute` step (Argo Rollouts' form): from this step on, the requests matching any of
/// `match` go to the canary whatever its weight; a step naming the route without `match` removes it. The
/// routes end with the analysis (promotion or rollback).
public struct HeaderRoute: Sendable, Equatable, Hashable {
    /// The route's name, unique among the script's routes: a later step with it replaces or removes it.
    public var name: String
    /// The conditions, any of which sends a request to the canary; `nil` for a step removing the route.
    public var match: [Match]?

    /// One condition: the request's header `headerName` (lower case) matches `value`.
    public struct Match: Sendable, Equatable, Hashable {
        public var headerName: String
        public var value: StringMatch

        public init(headerName: String, value: StringMatch) {
            self.headerName = headerName.lowercased()
            self.value = value
        }
    }

    public init(name: String, match: [Match]?) {
        self.name = name
        self.match = match
    }

    /// Parses `{name, match: [{headerName, headerValue: {exact|prefix|regex}}]}`; issues name each field.
    public static func parse(_ json: JSONValue, _ field: String, into issues: inout ValidationIssues) -> HeaderRoute? {
        guard let object = UnknownKeys.object(json, known: ["name", "match"], field, into: &issues) else { return nil }
        let name = RouteName.parse(object["name"], "\(field).name", into: &issues)
        guard let list = object["match"], list != .null else { return name.map { HeaderRoute(name: $0, match: nil) } }
        guard let blocks = list.arrayValue, !blocks.isEmpty else {
            issues.add("\(field).match", "list at least one header match, or leave match out to remove the route")
            return nil
        }
        var matches: [Match] = []
        for (index, block) in blocks.enumerated() {
            let at = "\(field).match[\(index)]"
            guard let condition = UnknownKeys.object(block, known: ["headerName", "headerValue"], at, into: &issues) else { continue }
            let header = condition["headerName"]?.stringValue ?? ""
            if !RouteName.isHeaderName(header) { issues.add("\(at).headerName", "\"\(header)\" is not an HTTP header name") }
            guard let value = condition["headerValue"] else {
                issues.add("\(at).headerValue", "required")
                continue
            }
            if let parsed = StringMatch.parse(value, "\(at).headerValue", into: &issues) { matches.append(Match(headerName: header, value: parsed)) }
        }
        guard let name, matches.count == blocks.count else { return nil }
        return HeaderRoute(name: name, match: matches)
    }

    /// `insiders (x-canary = yes)`, or `insiders removed`: how Events and the status name it.
    public var summary: String {
        guard let match else { return "\(name) removed" }
        return "\(name) (\(match.map { $0.value.summary(header: $0.headerName) }.joined(separator: " or ")))"
    }
}

/// The names of a step's routes, and the header names they match on.
enum RouteName {
    /// A route name: a DNS label, so that every router can carry it.
    static func parse(_ json: JSONValue?, _ field: String, into issues: inout ValidationIssues) -> String? {
        guard let name = json?.stringValue, !name.isEmpty else {
            issues.add(field, "required: the route's name, which a later step uses to change or remove it")
            return nil
        }
        guard name.count <= 63, name.range(of: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression) != nil else {
            issues.add(field, "\"\(name)\" must be a DNS label: lower-case letters, digits and '-', at most 63 characters")
            return nil
        }
        return name
    }

    /// An HTTP header name: a token (RFC 9110).
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }
    }
}
