import KubeCore

/// Serin: a `setMirrorRoute` step (Argo Rollouts' form): from this step on, `percentage` of the requests
/// matching any of `match` are copied to the canary (their answers discarded) while the primary answers them;
/// a step naming the route without `match` removes it. The routes end with the analysis.
public struct MirrorRoute: Sendable, Equatable, Hashable {
    public var name: String
    /// The share of the matching requests copied, 0–100 (default 100).
    public var percentage: Int
    /// The conditions, any of which selects a request; `nil` for a step removing the route.
    public var match: [Match]?

    /// One condition: all of its parts hold (method, path and each header).
    public struct Match: Sendable, Equatable, Hashable {
        public var method: StringMatch?
        public var path: StringMatch?
        /// By header name, in lower case.
        public var headers: [String: StringMatch]

        public init(method: StringMatch? = nil, path: StringMatch? = nil, headers: [String: StringMatch] = [:]) {
            self.method = method
            self.path = path
            self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }) { first, _ in first }
        }
    }

    public init(name: String, percentage: Int = 100, match: [Match]?) {
        self.name = name
        self.percentage = percentage
        self.match = match
    }

    /// Parses `{name, percentage, match: [{method, path, headers}]}`; issues name each field.
    public static func parse(_ json: JSONValue, _ field: String, into issues: inout ValidationIssues) -> MirrorRoute? {
        guard let object = UnknownKeys.object(json, known: ["name", "percentage", "match"], field, into: &issues) else { return nil }
        let name = RouteName.parse(object["name"], "\(field).name", into: &issues)
        var percentage = 100
        if let value = object["percentage"], value != .null {
            guard let number = value.intValue, (0...100).contains(number) else {
                issues.add("\(field).percentage", "a whole number within 0-100")
                return nil
            }
            percentage = number
        }
        guard let list = object["match"], list != .null else { return name.map { MirrorRoute(name: $0, percentage: percentage, match: nil) } }
        guard let blocks = list.arrayValue, !blocks.isEmpty else {
            issues.add("\(field).match", "list at least one match, or leave match out to remove the route")
            return nil
        }
        let matches = blocks.enumerated().compactMap { index, block in parseMatch(block, "\(field).match[\(index)]", into: &issues) }
        guard let name, matches.count == blocks.count else { return nil }
        return MirrorRoute(name: name, percentage: percentage, match: matches)
    }

    private static func parseMatch(_ block: JSONValue, _ field: String, into issues: inout ValidationIssues) -> Match? {
        guard let parts = UnknownKeys.object(block, known: ["method", "path", "headers"], field, into: &issues) else { return nil }
        guard !parts.isEmpty else {
            issues.add(field, "set at least one of method, path or headers")
            return nil
        }
        let before = issues.all.count
        var match = Match()
        if let method = parts["method"] { match.method = StringMatch.parse(method, "\(field).method", into: &issues) }
        if let path = parts["path"] { match.path = StringMatch.parse(path, "\(field).path", into: &issues) }
        if let headers = parts["headers"] {
            guard let named = headers.objectValue else {
                issues.add("\(field).headers", "must be an object of header names")
                return nil
            }
            for (header, value) in named {
                if !RouteName.isHeaderName(header) { issues.add("\(field).headers", "\"\(header)\" is not an HTTP header name") }
                if let parsed = StringMatch.parse(value, "\(field).headers.\(header)", into: &issues) { match.headers[header.lowercased()] = parsed }
            }
        }
        return issues.all.count == before ? match : nil
    }

    /// `copy 50% (method = GET)`, or `copy removed`: how Events and the status name it.
    public var summary: String {
        guard let match else { return "\(name) removed" }
        let conditions = match.map { block in
            ([block.method.map { "method \($0.summary)" }, block.path.map { "path \($0.summary)" }].compactMap { $0 }
                + block.headers.sorted { $0.key < $1.key }.map { $0.value.summary(header: $0.key) }).joined(separator: " and ")
        }
        return "\(name) \(percentage)% (\(conditions.joined(separator: " or ")))"
    }
}
