import CanaryAPI
import KubeCore

extension Canary {
    /// What the Gateway API router needs, the Istio fields it does not carry (refused, never ignored), and the
    /// fields it copies into the HTTPRoute or GRPCRoute held to Gateway API's published CRD rules (patterns,
    /// lengths, list sizes, CEL rules), so the API server never answers 422 about an object the user did not write.
    func validateGatewayAPI(into issues: inout ValidationIssues, provider: MeshProvider) {
        let service = spec.service ?? CanaryService()
        if (service.gatewayRefs ?? []).isEmpty { issues.add("spec.service.gatewayRefs", "required by the Gateway API provider") }
        let istioOnly: [(String, Bool)] = [
            ("spec.service.trafficPolicy", service.trafficPolicy != nil), ("spec.service.retries", service.retries != nil),
            ("spec.service.gateways", !(service.gateways ?? []).isEmpty), ("spec.service.delegation", service.delegation == true),
            ("spec.service.corsPolicy.allowOrigins", !(service.corsPolicy?["allowOrigins"]?.arrayValue ?? []).isEmpty),
        ]
        for (field, set) in istioOnly where set { issues.add(field, "not supported by the Gateway API router yet") }
        if service.appProtocol?.lowercased() == "tcp" {
            issues.add("spec.service.appProtocol", "TCP routes are not supported by the Gateway API router yet")
        }
        validateGatewayAPITimeouts(service, into: &issues)
        if let rewrite = service.rewrite { validateHTTPRouteRewrite(rewrite, into: &issues) }
        if let maxAge = service.corsPolicy?["maxAge"]?.stringValue {
            issues.duration(maxAge, maximum: .seconds(Int(Int32.max)), "spec.service.corsPolicy.maxAge")
        }
        validateParentRefs(service.gatewayRefs ?? [], into: &issues)
        issues.count((service.hosts ?? []).count, maximum: 16, "spec.service.hosts", "hostnames")
        for (index, host) in (service.hosts ?? []).enumerated() {
            issues.matching(
                host, RouteFieldRules.gatewayHostname, maximum: 253, "spec.service.hosts[\(index)]",
                "a Gateway API hostname (lower-case DNS labels; a wildcard only as a leading \"*.\")")
        }
        if let headers = service.headers { validateHeaderFilters(headers, into: &issues) }
        for (index, mirror) in (service.mirror ?? []).enumerated() { validateMirror(mirror, field: "spec.service.mirror[\(index)]", into: &issues) }
        if let cors = service.corsPolicy { validateCORSFilter(cors, into: &issues) }
        if service.appProtocol?.lowercased() == "grpc" {
            validateGRPCRoute(into: &issues, provider: provider)
        } else {
            validateHTTPRouteMatches(into: &issues)
        }
    }

    private func validateGatewayAPITimeouts(_ service: CanaryService, into issues: inout ValidationIssues) {
        for (text, field) in [(service.timeout, "spec.service.timeout"), (service.backendTimeout, "spec.service.backendTimeout")] {
            if let text, text.wholeMatch(of: /([0-9]{1,5}(h|m|s|ms)){1,4}/) == nil {
                issues.add(field, "\"\(text)\" is not a Gateway API duration (1 to 4 parts of up to 5 digits and h, m, s or ms: 30s, 1m30s, 500ms)")
            }
        }
        issues.duration(service.backendTimeout, maximum: ValidationLimits.maximumWebhookTimeout, "spec.service.backendTimeout")
        if let request = ValidationIssues.parsedDuration(service.timeout), let backend = ValidationIssues.parsedDuration(service.backendTimeout),
            request.duration > .zero, backend > request
        {
            issues.add("spec.service.backendTimeout", "\(backend) is longer than the request timeout \(request) (service.timeout)")
        }
    }

    /// `gatewayRefs` become the route's `parentRefs`: each names a Gateway (or another parent) by `name`, with an
    /// optional `namespace`, `sectionName`, `port`, `group` and `kind`.
    private func validateParentRefs(_ references: [JSONValue], into issues: inout ValidationIssues) {
        issues.count(references.count, maximum: 32, "spec.service.gatewayRefs", "references")
        for (index, reference) in references.enumerated() {
            let field = "spec.service.gatewayRefs[\(index)]"
            guard reference.objectValue != nil else { issues.add(field, "must be an object: {name, namespace, sectionName, port}"); continue }
            if let name = reference["name"] {
                if let name = issues.string(name, "\(field).name") { issues.length(name, maximum: 253, "\(field).name") }
            } else {
                issues.add("\(field).name", "required: the Gateway's name")
            }
            if let value = reference["namespace"], let namespace = issues.string(value, "\(field).namespace") {
                issues.matching(namespace, RouteFieldRules.label, maximum: 63, "\(field).namespace", "a namespace (a DNS-1123 label)")
            }
            if let value = reference["sectionName"], let section = issues.string(value, "\(field).sectionName") {
                issues.matching(section, RouteFieldRules.subdomain, maximum: 253, "\(field).sectionName", "a listener name (a DNS-1123 subdomain)")
            }
            if let value = reference["group"], let group = issues.string(value, "\(field).group"), !group.isEmpty {
                issues.matching(group, RouteFieldRules.subdomain, maximum: 253, "\(field).group", "an API group (a DNS-1123 subdomain)")
            }
            if let value = reference["kind"], let kind = issues.string(value, "\(field).kind") {
                issues.matching(kind, "^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$", maximum: 63, "\(field).kind", "a kind")
            }
            issues.integer(reference["port"], 1...65535, "\(field).port")
        }
    }

    /// `headers.request` and `headers.response` become header modifier filters: at most 16 names each in `set`
    /// and `add` (HTTP tokens up to 256 characters, values of 1 to 4096) and 16 in `remove`.
    private func validateHeaderFilters(_ headers: JSONValue, into issues: inout ValidationIssues) {
        for part in ["request", "response"] {
            guard let operations = headers[part] else { continue }
            let field = "spec.service.headers.\(part)"
            for operation in ["set", "add"] {
                let members = operations[operation]?.objectValue ?? [:]
                issues.count(members.count, maximum: 16, "\(field).\(operation)", "headers")
                for (name, value) in members {
                    let path = "\(field).\(operation).\(name)"
                    issues.matching(name, RouteFieldRules.httpToken, maximum: 256, path, "an HTTP header name (an RFC 7230 token)")
                    if let value = issues.string(value, path) { issues.length(value, maximum: 4096, path) }
                }
            }
            let removed = operations["remove"]?.arrayValue ?? []
            issues.count(removed.count, maximum: 16, "\(field).remove", "headers")
            for (index, name) in removed.enumerated() {
                guard let name = issues.string(name, "\(field).remove[\(index)]") else { continue }
                issues.matching(name, RouteFieldRules.httpToken, maximum: 256, "\(field).remove[\(index)]", "an HTTP header name (an RFC 7230 token)")
            }
        }
    }

    /// A `service.mirror` entry becomes a RequestMirror filter: a Service `backendRef` with a name and a port,
    /// and `percent` (0-100) or `fraction` (numerator ≤ denominator), not both.
    private func validateMirror(_ mirror: JSONValue, field: String, into issues: inout ValidationIssues) {
        let reference = mirror["backendRef"] ?? .null
        if let value = reference["name"], let name = issues.string(value, "\(field).backendRef.name") {
            if name.isEmpty {
                issues.add("\(field).backendRef.name", "required")
            } else {
                issues.length(name, maximum: 253, "\(field).backendRef.name")
            }
        } else if reference["name"] == nil {
            issues.add("\(field).backendRef.name", "required")
        }
        let kind = reference["kind"]?.stringValue ?? "Service"
        if kind == "Service", (reference["group"]?.stringValue ?? "").isEmpty, reference["port"] == nil {
            issues.add("\(field).backendRef.port", "required for a Service")
        }
        issues.integer(reference["port"], 1...65535, "\(field).backendRef.port")
        if let value = reference["namespace"], let namespace = issues.string(value, "\(field).backendRef.namespace") {
            issues.matching(namespace, RouteFieldRules.label, maximum: 63, "\(field).backendRef.namespace", "a namespace (a DNS-1123 label)")
        }
        issues.integer(mirror["percent"], 0...100, "\(field).percent")
        if let fraction = mirror["fraction"] {
            if mirror["percent"] != nil { issues.add("\(field).fraction", "percent and fraction cannot both be set") }
            issues.integer(fraction["numerator"], 0...Int(Int32.max), "\(field).fraction.numerator")
            issues.integer(fraction["denominator"], 1...Int(Int32.max), "\(field).fraction.denominator")
            if let numerator = fraction["numerator"]?.intValue, let denominator = fraction["denominator"]?.intValue, numerator > denominator {
                issues.add("\(field).fraction", "numerator \(numerator) is above denominator \(denominator)")
            }
        }
    }

    /// `rewrite`: `type` ReplaceFullPath or ReplacePrefixMatch, `authority` a precise hostname, `uri` up to 1024
    /// characters; a prefix rewrite needs a rule with exactly one path-prefix match (Gateway API's CEL rule).
    private func validateHTTPRouteRewrite(_ rewrite: JSONValue, into issues: inout ValidationIssues) {
        let type = rewrite["type"]?.stringValue
        if let type, !["ReplaceFullPath", "ReplacePrefixMatch"].contains(type) {
            issues.add("spec.service.rewrite.type", "\"\(type)\" is not ReplaceFullPath or ReplacePrefixMatch")
        }
        if let value = rewrite["authority"], let authority = issues.string(value, "spec.service.rewrite.authority"), !authority.isEmpty {
            issues.matching(
                authority, RouteFieldRules.subdomain, maximum: 253, "spec.service.rewrite.authority",
                "a precise hostname (lower-case DNS labels, no wildcard)")
        }
        guard let value = rewrite["uri"], let uri = issues.string(value, "spec.service.rewrite.uri"), !uri.isEmpty else { return }
        issues.length(uri, maximum: 1024, "spec.service.rewrite.uri")
        guard type == "ReplacePrefixMatch" else { return }
        let service = spec.service?.match ?? [], analysis = strategy == .abTesting ? spec.analysis?.match ?? [] : []
        let prefixOnly = (service + analysis).allSatisfy { $0["uri"] == nil || $0[path: "uri", "prefix"] != nil }
        if service.count > 1 || analysis.count > 1 || !prefixOnly {
            issues.add(
                "spec.service.rewrite.type",
                "ReplacePrefixMatch needs a rule with exactly one path prefix match: one service.match (and one analysis.match) block, each with uri.prefix or no uri"
            )
        }
    }

    /// `corsPolicy` becomes a CORS filter: origins `*` or `scheme://host[:port]`, HTTP methods, header names as tokens.
    private func validateCORSFilter(_ cors: JSONValue, into issues: inout ValidationIssues) {
        for (index, origin) in (cors["allowOrigin"]?.arrayValue ?? []).enumerated() {
            guard let origin = issues.string(origin, "spec.service.corsPolicy.allowOrigin[\(index)]") else { continue }
            issues.matching(
                origin, #"(^\*$)|(^([a-zA-Z][a-zA-Z0-9+\-.]+):\/\/([^:/?#]+)(:([0-9]{1,5}))?$)"#, maximum: 253,
                "spec.service.corsPolicy.allowOrigin[\(index)]", "an origin (* or scheme://host[:port])")
        }
        for (index, method) in (cors["allowMethods"]?.arrayValue ?? []).enumerated() {
            guard let method = issues.string(method, "spec.service.corsPolicy.allowMethods[\(index)]") else { continue }
            if !RouteFieldRules.methods.contains(method) && method != "*" {
                issues.add("spec.service.corsPolicy.allowMethods[\(index)]", "\(RouteFieldRules.quoted(method)) is not an HTTP method")
            }
        }
        for list in ["allowHeaders", "exposeHeaders"] {
            for (index, name) in (cors[list]?.arrayValue ?? []).enumerated() {
                guard let name = issues.string(name, "spec.service.corsPolicy.\(list)[\(index)]") else { continue }
                issues.matching(
                    name, RouteFieldRules.httpToken, maximum: 256, "spec.service.corsPolicy.\(list)[\(index)]",
                    "an HTTP header name (an RFC 7230 token)")
            }
        }
    }
}

extension GatewayAPIRouter {
    /// What the Gateway API router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static func validation(_ provider: MeshProvider) -> RouterRules {
        let users = "the Gateway API providers (gatewayapi:v1, gatewayapi:v1beta1)"
        let fields = [
            ProviderField("spec.service.gatewayRefs", usedBy: users) { !($0.spec.service?.gatewayRefs ?? []).isEmpty },
            ProviderField("spec.service.backendTimeout", usedBy: users) { $0.spec.service?.backendTimeout != nil },
            ProviderField("spec.service.mirror", usedBy: users) { !($0.spec.service?.mirror ?? []).isEmpty },
        ]
        return RouterRules(fields: fields, splitsThreeWays: true, stepRoutes: true) { canary, issues in
            canary.validateGatewayAPI(into: &issues, provider: provider)
            canary.validateGatewayAPIStepRoutes(into: &issues)
        }
    }
}

extension Canary {
    /// A script's header and mirror routes as HTTPRoute rules: HTTP only (not a GRPCRoute), a method matched
    /// exactly (the Gateway API's method is one of the HTTP methods).
    func validateGatewayAPIStepRoutes(into issues: inout ValidationIssues) {
        for (index, step) in (spec.analysis?.steps ?? []).enumerated() {
            let at = "spec.analysis.steps[\(index)]"
            switch step.action {
            case .setHeaderRoute, .setMirrorRoute:
                if spec.service?.appProtocol?.lowercased() == "grpc" {
                    issues.add(
                        "\(at).\(step.setHeaderRoute != nil ? "setHeaderRoute" : "setMirrorRoute")", "not with appProtocol: grpc (a GRPCRoute) yet")
                }
            default: break
            }
            guard case .setMirrorRoute(let route) = step.action else { continue }
            for (block, condition) in (route.match ?? []).enumerated() {
                if let method = condition.method, case .exact(let name) = method {
                    let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]
                    if !methods.contains(name) {
                        issues.add("\(at).setMirrorRoute.match[\(block)].method.exact", "\"\(name)\" is not an HTTP method the Gateway API matches")
                    }
                } else if condition.method != nil {
                    issues.add("\(at).setMirrorRoute.match[\(block)].method", "the Gateway API matches a method exactly: use exact")
                }
            }
        }
    }
}
