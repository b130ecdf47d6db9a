import KubeCore

extension Canary {
    /// `spec.dependsOn`: each entry names one Canary or selects some, never both; a Canary does not depend on
    /// itself; with `--no-cross-namespace-refs` it stays in its namespace. A cycle through other Canaries is
    /// found by the controller, which sees them all.
    func validateDependsOn(into issues: inout ValidationIssues, context: ValidationContext) {
        for (index, dependency) in (spec.dependsOn ?? []).enumerated() {
            let field = "spec.dependsOn[\(index)]"
            switch (dependency.name, dependency.selector) {
            case (nil, nil): issues.add(field, "name a Canary (name) or select some (selector)")
            case (.some, .some): issues.add(field, "name and selector are exclusive: name one Canary or select some")
            case (let name?, nil):
                if name.isEmpty { issues.add("\(field).name", "must not be empty") }
                if name == metadata.name, (dependency.namespace ?? namespace) == namespace {
                    issues.add("\(field).name", "a Canary cannot depend on itself")
                }
            case (nil, let selector?):
                do { try selector.validate() } catch { issues.add("\(field).selector", error.description) }
            }
            if !context.crossNamespaceRefs, let other = dependency.namespace, !other.isEmpty, other != namespace {
                issues.add(
                    "\(field).namespace",
                    "can't depend on Canaries in \(other), cross-namespace references are blocked (--no-cross-namespace-refs)")
            }
        }
    }
}
