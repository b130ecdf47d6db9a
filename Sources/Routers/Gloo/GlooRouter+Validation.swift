import CanaryAPI
import KubeCore

extension Canary {
    /// What a Gloo RouteTable carries: weights, and for A/B testing header (`exact`, `regex`) and method
    /// matches. The mesh fields, mirroring and session affinity are refused by name.
    func validateGloo(into issues: inout ValidationIssues) {
        for (field, set) in meshRouteFields() where set {
            issues.add(field, "not supported by the gloo router (the Gloo VirtualService holds the routing; Serin weighs the RouteTable)")
        }
        if !(spec.service?.hosts ?? []).isEmpty {
            issues.add("spec.service.hosts", "not used by the gloo router: your Gloo VirtualService's domains hold the hosts")
        }
        for (index, block) in (spec.analysis?.match ?? []).enumerated() {
            for key in (block.objectValue ?? [:]).keys where !["headers", "method"].contains(key) {
                issues.add("spec.analysis.match[\(index)].\(key)", "the gloo router matches headers and the method only")
            }
            for (name, condition) in block["headers"]?.objectValue ?? [:] where condition["exact"] == nil && condition["regex"] == nil {
                issues.add("spec.analysis.match[\(index)].headers.\(name)", "matches by exact or regex only")
            }
        }
        for (index, block) in (spec.analysis?.match ?? []).enumerated() {
            headerValues(block, field: "spec.analysis.match[\(index)]", re2: true, into: &issues)
            guard let method = block["method"] else { continue }
            if (method.objectValue ?? [:]).keys.sorted() != ["exact"] {
                issues.add("spec.analysis.match[\(index)].method", "the gloo router matches a method by exact only")
            }
            if let name = method["exact"]?.stringValue, !RouteFieldRules.methods.contains(name) {
                issues.add("spec.analysis.match[\(index)].method.exact", "\(RouteFieldRules.quoted(name)) is not an HTTP method")
            }
        }
        if let reference = spec.upstreamRef {
            if (reference.name ?? "").isEmpty { issues.add("spec.upstreamRef.name", "required") }
            if let kind = reference.kind, kind != "Upstream" { issues.add("spec.upstreamRef.kind", "\"\(kind)\" is not Upstream") }
        }
    }
}

extension GlooRouter {
    /// What the gloo router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules(fields: [ProviderField("spec.upstreamRef", usedBy: "the gloo provider") { $0.spec.upstreamRef != nil }]) {
        canary, issues in canary.validateGloo(into: &issues)
    }
}
