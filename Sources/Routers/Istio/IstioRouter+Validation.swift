import CanaryAPI
import Foundation
import KubeCore

extension Canary {
    /// The fields the Istio router copies into the VirtualService, held to what Istio's validation webhook
    /// accepts: hosts and gateways, the string matches of `service.match` and `analysis.match` (RE2 regexes),
    /// header operations, retries, the timeout and the CORS policy.
    func validateIstio(into issues: inout ValidationIssues) {
        let service = spec.service ?? CanaryService()
        for (index, host) in (service.hosts ?? []).enumerated() {
            issues.matching(
                host, RouteFieldRules.istioHost, maximum: 255, "spec.service.hosts[\(index)]",
                "an Istio host (DNS labels, a wildcard only as the first label: *.example.com)")
        }
        for (index, gateway) in (service.gateways ?? []).enumerated() where gateway != "mesh" {
            let parts = gateway.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let field = "spec.service.gateways[\(index)]"
            if parts.count > 2 { issues.add(field, "\(RouteFieldRules.quoted(gateway)) is not <namespace>/<name>, <name> or mesh"); continue }
            if parts.count == 2 {
                issues.matching(parts[0], RouteFieldRules.label, maximum: 63, field, "a namespace/name whose namespace is a DNS label")
            }
            issues.matching(parts[parts.count - 1], RouteFieldRules.subdomain, maximum: 253, field, "a Gateway name (a DNS-1123 subdomain)")
        }
        for (list, blocks) in [("spec.service.match", service.match ?? []), ("spec.analysis.match", spec.analysis?.match ?? [])] {
            for (index, block) in blocks.enumerated() { validateIstioMatch(block, field: "\(list)[\(index)]", into: &issues) }
        }
        if let headers = service.headers { validateIstioHeaders(headers, into: &issues) }
        if let retries = service.retries { validateIstioRetries(retries, into: &issues) }
        if let timeout = service.timeout { istioDuration(timeout, "spec.service.timeout", into: &issues) }
        if let cors = service.corsPolicy { validateIstioCORS(cors, into: &issues) }
        for (index, step) in (spec.analysis?.steps ?? []).enumerated() {
            let named: (String, String)? =
                switch step.action {
                case .setHeaderRoute(let route): ("setHeaderRoute", route.name)
                case .setMirrorRoute(let route): ("setMirrorRoute", route.name)
                default: nil
                }
            if let (kind, name) = named, [IstioRouter.stickyRouteName, IstioRouter.stickyPrimaryRouteName].contains(name) {
                issues.add("spec.analysis.steps[\(index)].\(kind).name", "\"\(name)\" is the name of Flagger's session-affinity route")
            }
        }
    }

    /// One match block: each string match (uri, scheme, method, authority, headers, query parameters) holds
    /// one non-empty `exact`, `prefix` or `regex`, and a regex compiles.
    private func validateIstioMatch(_ block: JSONValue, field: String, into issues: inout ValidationIssues) {
        for key in ["uri", "scheme", "method", "authority"] {
            if let condition = block[key] { istioStringMatch(condition, "\(field).\(key)", into: &issues) }
        }
        for key in ["headers", "queryParams", "withoutHeaders"] {
            for (name, condition) in block[key]?.objectValue ?? [:] {
                if key != "queryParams" {
                    issues.matching(
                        name, RouteFieldRules.istioHeaderName, maximum: 256, "\(field).\(key).\(name)", "a header name (letters, digits, '-' and '_')"
                    )
                }
                istioStringMatch(condition, "\(field).\(key).\(name)", into: &issues)
            }
        }
    }

    private func istioStringMatch(_ condition: JSONValue, _ field: String, into issues: inout ValidationIssues) {
        guard let members = condition.objectValue else { return issues.add(field, "must be a string match: {exact|prefix|regex: value}") }
        let kinds = members.keys.filter { ["exact", "prefix", "regex"].contains($0) }
        if kinds.count > 1 { issues.add(field, "sets \(kinds.joined(separator: " and ")): a string match is one of exact, prefix or regex") }
        for kind in kinds {
            guard let text = issues.string(members[kind] ?? .null, "\(field).\(kind)") else { continue }
            if kind == "regex" { issues.regex(text, "\(field).regex") }
            if kind == "prefix", text.isEmpty, field.hasSuffix(".uri") { issues.add("\(field).prefix", "must not be empty") }
        }
    }

    /// `headers.request` and `headers.response`: `set` and `add` map header names to string values, `remove` lists names.
    private func validateIstioHeaders(_ headers: JSONValue, into issues: inout ValidationIssues) {
        for part in ["request", "response"] {
            guard let operations = headers[part] else { continue }
            let field = "spec.service.headers.\(part)"
            for operation in ["set", "add"] {
                for (name, value) in operations[operation]?.objectValue ?? [:] {
                    issues.matching(
                        name, RouteFieldRules.istioHeaderName, maximum: 256, "\(field).\(operation).\(name)",
                        "a header name (letters, digits, '-' and '_')")
                    _ = issues.string(value, "\(field).\(operation).\(name)")
                }
            }
            for (index, name) in (operations["remove"]?.arrayValue ?? []).enumerated() {
                guard let name = issues.string(name, "\(field).remove[\(index)]") else { continue }
                issues.matching(
                    name, RouteFieldRules.istioHeaderName, maximum: 256, "\(field).remove[\(index)]", "a header name (letters, digits, '-' and '_')")
            }
        }
    }

    /// `attempts` is a non-negative integer, `perTryTimeout` a duration of at least 1ms, `retryOn` a
    /// comma-separated list of Envoy's retry conditions and HTTP status codes.
    private func validateIstioRetries(_ retries: JSONValue, into issues: inout ValidationIssues) {
        issues.integer(retries["attempts"], 0...Int(Int32.max), "spec.service.retries.attempts")
        if let perTry = retries["perTryTimeout"], let text = issues.string(perTry, "spec.service.retries.perTryTimeout") {
            istioDuration(text, "spec.service.retries.perTryTimeout", into: &issues)
        }
        if let value = retries["retryOn"], let retryOn = issues.string(value, "spec.service.retries.retryOn") {
            for condition in retryOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if !RouteFieldRules.istioRetryOn.contains(condition), !(Int(condition).map { (100...599).contains($0) } ?? false) {
                    issues.add(
                        "spec.service.retries.retryOn",
                        "\(RouteFieldRules.quoted(condition)) is not a retry condition Istio accepts (5xx, gateway-error, reset, connect-failure, retriable-4xx, … or an HTTP status code)"
                    )
                }
            }
        }
    }

    /// A duration Istio accepts: at least 1ms, in whole milliseconds.
    private func istioDuration(_ text: String, _ field: String, into issues: inout ValidationIssues) {
        guard let parsed = ValidationIssues.parsedDuration(text) else {
            return issues.duration(text, maximum: ValidationLimits.maximumWebhookTimeout, field)
        }
        if parsed.duration < .milliseconds(1) { issues.add(field, "\(text) is shorter than Istio's minimum of 1ms") }
        let attoseconds = parsed.duration.components.attoseconds
        if attoseconds % 1_000_000_000_000_000 != 0 { issues.add(field, "\(text) is not a whole number of milliseconds, which Istio requires") }
    }

    /// `allowMethods` are HTTP methods, `allowOrigins` string matches, `maxAge` a duration.
    private func validateIstioCORS(_ cors: JSONValue, into issues: inout ValidationIssues) {
        for (index, method) in (cors["allowMethods"]?.arrayValue ?? []).enumerated() {
            guard let method = issues.string(method, "spec.service.corsPolicy.allowMethods[\(index)]") else { continue }
            if !RouteFieldRules.methods.contains(method) && method != "*" {
                issues.add("spec.service.corsPolicy.allowMethods[\(index)]", "\(RouteFieldRules.quoted(method)) is not an HTTP method")
            }
        }
        for (index, origin) in (cors["allowOrigins"]?.arrayValue ?? []).enumerated() {
            istioStringMatch(origin, "spec.service.corsPolicy.allowOrigins[\(index)]", into: &issues)
        }
        if let maxAge = cors["maxAge"], let text = issues.string(maxAge, "spec.service.corsPolicy.maxAge") {
            istioDuration(text, "spec.service.corsPolicy.maxAge", into: &issues)
        }
    }
}

extension IstioRouter {
    /// What the istio router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules(splitsThreeWays: true, stepRoutes: true) { canary, issues in canary.validateIstio(into: &issues) }
}
