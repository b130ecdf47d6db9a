import CanaryAPI
import KubeCore

extension Canary {
    /// What a Contour HTTPProxy route carries: a path prefix (`service.match[0].uri.prefix`), timeouts and
    /// retries, header matches by `exact`, `prefix` or `suffix`. The rest is refused by name.
    func validateContour(into issues: inout ValidationIssues) {
        let carried: Set<String> = ["spec.service.timeout", "spec.service.retries", "spec.service.match"]
        for (field, set) in meshRouteFields() where set && !carried.contains(field) {
            issues.add(field, "not supported by the contour router")
        }
        if !(spec.service?.hosts ?? []).isEmpty {
            issues.add("spec.service.hosts", "not used by the contour router: your root HTTPProxy's virtualhost.fqdn holds the domain")
        }
        let match = spec.service?.match ?? []
        if match.count > 1 || match.contains(where: { ($0.objectValue ?? [:]).keys.contains { $0 != "uri" } || $0[path: "uri", "prefix"] == nil }) {
            issues.add("spec.service.match", "the contour router takes one block with uri.prefix only (the route's path prefix)")
        }
        if let retryOn = spec.service?.retries?["retryOn"], retryOn.stringValue == nil {
            issues.add("spec.service.retries.retryOn", "must be a comma-separated string")
        }
        for (index, block) in (spec.analysis?.match ?? []).enumerated() {
            for key in (block.objectValue ?? [:]).keys where key != "headers" {
                issues.add("spec.analysis.match[\(index)].\(key)", "Contour matches a canary by headers only")
            }
            for (name, condition) in block["headers"]?.objectValue ?? [:] {
                let kinds = (condition.objectValue ?? [:]).keys.sorted()
                if kinds.count != 1 || !["exact", "prefix", "suffix"].contains(kinds[0]) {
                    issues.add("spec.analysis.match[\(index)].headers.\(name)", "Contour matches a header by exact, prefix or suffix only")
                }
            }
        }
        if spec.service?.appProtocol?.lowercased() == "tcp" { issues.add("spec.service.appProtocol", "the contour router routes HTTP only") }
        validateContourValues(into: &issues)
    }
}

extension ContourRouter {
    /// What the contour router checks of a Canary it routes, and the fields only it uses (``RouterRules``).
    static let validation = RouterRules { canary, issues in canary.validateContour(into: &issues) }
}
