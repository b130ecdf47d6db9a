import Foundation

extension Canary {
    /// With `--no-cross-namespace-refs` (Flagger's flag), every reference of a Canary stays in its namespace:
    /// MetricTemplates, AlertProviders and the Gloo upstream (as Flagger checks), and webhook URLs naming a
    /// Service of another namespace (`<svc>.<ns>`, `<svc>.<ns>.svc…`), which Flagger does not check. Each is
    /// refused naming its field.
    func validateNamespaceReferences(into issues: inout ValidationIssues, context: ValidationContext) {
        guard !context.crossNamespaceRefs else { return }
        func check(_ namespace: String?, _ field: String, _ what: String) {
            guard let namespace, !namespace.isEmpty, namespace != self.namespace else { return }
            issues.add(field, "can't access \(what).\(namespace), cross-namespace references are blocked (--no-cross-namespace-refs)")
        }
        if let upstream = spec.upstreamRef { check(upstream.namespace, "spec.upstreamRef.namespace", "gloo upstream \(upstream.name ?? "")") }
        for (index, metric) in (spec.analysis?.metrics ?? []).enumerated() {
            guard let reference = metric.templateRef else { continue }
            check(reference.namespace, "spec.analysis.metrics[\(index)].templateRef.namespace", "metric template \(reference.name)")
        }
        for (index, alert) in (spec.analysis?.alerts ?? []).enumerated() {
            guard let reference = alert.providerRef else { continue }
            check(reference.namespace, "spec.analysis.alerts[\(index)].providerRef.namespace", "alert provider \(reference.name)")
        }
        for (index, webhook) in (spec.analysis?.webhooks ?? []).enumerated() {
            guard let host = URL(string: webhook.url)?.host, let (service, namespace) = Canary.serviceHost(host) else { continue }
            check(namespace, "spec.analysis.webhooks[\(index)].url", "service \(service)")
        }
    }

    /// The Service and namespace a cluster host names: `<svc>.<ns>` (two labels, as Flagger's load tester
    /// `flagger-loadtester.test`), `<svc>.<ns>.svc` or `<svc>.<ns>.svc.<cluster domain>`; `nil` for any other
    /// host (an external name of three labels or more, or a fully qualified one ending in a dot).
    static func serviceHost(_ host: String) -> (service: String, namespace: String)? {
        guard !host.hasSuffix(".") else { return nil }
        let labels = host.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), Double(labels[labels.count - 1]) == nil else { return nil }
        if labels.count == 2 || labels[2] == "svc" { return (labels[0], labels[1]) }
        return nil
    }
}
