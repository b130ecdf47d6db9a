import CanaryAPI
import KubeCore

extension Canary {
    /// `service.match` and `analysis.match` as HTTPRoute matches: what the router carries (`uri` exact, prefix or
    /// regex; `headers` and `queryParams` exact or regex; `method.exact`) is held to Gateway API's rules, and
    /// anything else is refused by name rather than dropped.
    func validateHTTPRouteMatches(into issues: inout ValidationIssues) {
        let service = spec.service?.match ?? [], analysis = spec.analysis?.match ?? []
        for (list, blocks) in [("spec.service.match", service), ("spec.analysis.match", analysis)] {
            for (index, block) in blocks.enumerated() { validateHTTPRouteMatch(block, field: "\(list)[\(index)]", into: &issues) }
        }
        let matches = max(service.count, 1) * (strategy == .abTesting ? max(analysis.count, 1) : 1)
        if matches > 64 {
            issues.add(
                "spec.analysis.match",
                "\(matches) matches in one rule (each analysis.match block with each service.match block); an HTTPRoute rule takes at most 64")
        }
    }

    private func validateHTTPRouteMatch(_ block: JSONValue, field: String, into issues: inout ValidationIssues) {
        guard let members = block.objectValue else { return issues.add(field, "must be a match block") }
        for key in members.keys where !["uri", "headers", "queryParams", "method"].contains(key) {
            issues.add("\(field).\(key)", "an HTTPRoute match carries uri, headers, queryParams and method only")
        }
        if let uri = members["uri"] { validatePathMatch(uri, field: "\(field).uri", into: &issues) }
        for (key, valueLimit) in [("headers", 4096), ("queryParams", 1024)] {
            let conditions = members[key]?.objectValue ?? [:]
            issues.count(conditions.count, maximum: 16, "\(field).\(key)", key == "headers" ? "headers" : "query parameters")
            for (name, condition) in conditions {
                let path = "\(field).\(key).\(name)"
                issues.matching(
                    name, RouteFieldRules.httpToken, maximum: 256, path,
                    key == "headers" ? "an HTTP header name (an RFC 7230 token)" : "a query parameter name (an RFC 7230 token)")
                let kinds = (condition.objectValue ?? [:]).keys.sorted()
                if kinds != ["exact"] && kinds != ["regex"] { issues.add(path, "a Gateway API match is exact or regex only") }
                gatewayStringMatch(condition, path, valueLimit: valueLimit, into: &issues)
            }
        }
        if let method = members["method"] {
            let kinds = (method.objectValue ?? [:]).keys.sorted()
            if kinds != ["exact"] { issues.add("\(field).method", "a Gateway API method match is exact only") }
            if let value = method["exact"], let name = issues.string(value, "\(field).method.exact"), !RouteFieldRules.methods.contains(name) {
                issues.add(
                    "\(field).method.exact",
                    "\(RouteFieldRules.quoted(name)) is not one of \(RouteFieldRules.methods.sorted().joined(separator: ", "))")
            }
        }
    }

    /// `uri`: one of `exact` or `prefix` (an absolute path without `//`, `/./`, `/../`, `%2f` or `#`, as the CRD's
    /// CEL rules say) or `regex`, up to 1024 characters.
    private func validatePathMatch(_ uri: JSONValue, field: String, into issues: inout ValidationIssues) {
        let kinds = (uri.objectValue ?? [:]).keys.sorted()
        guard kinds.count == 1, let kind = kinds.first, ["exact", "prefix", "regex"].contains(kind) else {
            return issues.add(field, "an HTTPRoute path match is one of exact, prefix or regex")
        }
        guard let path = issues.string(uri[kind] ?? .null, "\(field).\(kind)") else { return }
        issues.length(path, maximum: 1024, "\(field).\(kind)")
        if kind == "regex" { return issues.regex(path, "\(field).regex") }
        let forbidden = ["//", "/./", "/../", "%2f", "%2F", "#"].filter { path.contains($0) }
        if !path.hasPrefix("/") {
            issues.add("\(field).\(kind)", "\(RouteFieldRules.quoted(path)) must be an absolute path starting with /")
        } else if !forbidden.isEmpty || path.hasSuffix("/..") || path.hasSuffix("/.") {
            issues.add("\(field).\(kind)", "\(RouteFieldRules.quoted(path)) must not contain //, /./, /../, %2f or # nor end in /. or /..")
        }
    }

    /// A header or query parameter condition's value: 1 to `valueLimit` characters; a regex compiles.
    func gatewayStringMatch(_ condition: JSONValue, _ field: String, valueLimit: Int, into issues: inout ValidationIssues) {
        for kind in ["exact", "regex"] {
            guard let value = condition[kind], let text = issues.string(value, "\(field).\(kind)") else { continue }
            issues.length(text, maximum: valueLimit, "\(field).\(kind)")
            if kind == "regex", !text.isEmpty { issues.regex(text, "\(field).regex") }
        }
    }
}
