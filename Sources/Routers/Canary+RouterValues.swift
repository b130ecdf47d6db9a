import CanaryAPI
import Foundation
import KubeCore

extension Canary {
    /// The values a Contour HTTPProxy route takes from the Canary, held to Contour's CRD: `retries.attempts`
    /// from -1 (no retries) up, `perTryTimeout` and `timeout` in Contour's duration syntax, `retryOn` from its
    /// enum, a path prefix starting with `/`, header conditions with HTTP header names.
    func validateContourValues(into issues: inout ValidationIssues) {
        let service = spec.service ?? CanaryService()
        if let retries = service.retries {
            issues.integer(retries["attempts"], -1...Int(Int32.max), "spec.service.retries.attempts")
            if let value = retries["perTryTimeout"], let text = issues.string(value, "spec.service.retries.perTryTimeout") {
                issues.matching(
                    text, RouteFieldRules.contourDuration, maximum: 64, "spec.service.retries.perTryTimeout",
                    "a Contour duration (300ms, 5s, 1m, infinity)")
            }
            for condition in (retries["retryOn"]?.stringValue ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
            where !RouteFieldRules.contourRetryOn.contains(condition) {
                issues.add(
                    "spec.service.retries.retryOn",
                    "\(RouteFieldRules.quoted(condition)) is not one of Contour's retry conditions (\(RouteFieldRules.contourRetryOn.sorted().joined(separator: ", ")))"
                )
            }
        }
        if let timeout = service.timeout {
            issues.matching(
                timeout, RouteFieldRules.contourDuration, maximum: 64, "spec.service.timeout", "a Contour duration (300ms, 5s, 1m, infinity)")
        }
        if let value = service.match?.first?[path: "uri", "prefix"], let prefix = issues.string(value, "spec.service.match[0].uri.prefix"),
            !prefix.hasPrefix("/")
        {
            issues.add("spec.service.match[0].uri.prefix", "\(RouteFieldRules.quoted(prefix)) must start with /")
        }
        for (index, block) in (spec.analysis?.match ?? []).enumerated() {
            headerValues(block, field: "spec.analysis.match[\(index)]", re2: false, into: &issues)
        }
    }

    /// The header conditions of a match block: names are HTTP header names, values strings, regexes compile
    /// (with RE2's limits when `re2`, Envoy's safe regex; else as PCRE, which ingress-nginx's Lua uses, approximated by ICU).
    func headerValues(_ block: JSONValue, field: String, re2: Bool, into issues: inout ValidationIssues) {
        for (name, condition) in block["headers"]?.objectValue ?? [:] {
            let path = "\(field).headers.\(name)"
            issues.matching(name, RouteFieldRules.httpToken, maximum: 256, path, "an HTTP header name (an RFC 7230 token)")
            for (kind, value) in condition.objectValue ?? [:] {
                guard let text = issues.string(value, "\(path).\(kind)") else { continue }
                if kind == "regex" {
                    if re2 {
                        issues.regex(text, "\(path).regex")
                    } else if let problem = RouteFieldRules.compileProblem(text) {
                        issues.add("\(path).regex", problem)
                    }
                } else if text.isEmpty, kind == "exact" {
                    issues.add("\(path).exact", "must not be empty")
                }
            }
        }
    }
}
