/// Values of implemented fields that Serin cannot honour yet: refused by name (`Valid=False` and a Warning),
/// never a quiet no-op. Fields not implemented at all are refused from the raw spec by
/// ``Canary/refusedFields(in:)``, after the table in `CanaryFields.swift`.
extension Canary {
    func unsupportedValues(into issues: inout ValidationIssues) {
        if spec.service?.appProtocol?.lowercased() == "tcp", !(spec.analysis?.match ?? []).isEmpty {
            issues.add("spec.analysis.match", "A/B testing matches HTTP requests; a TCP service (appProtocol: tcp) has none")
        }
        if spec.analysis?.mirror == true, strategy == .abTesting {
            issues.add(
                "spec.analysis.mirror", "A/B testing sends the matching requests to the canary; mirroring applies to blue/green and canary strategies"
            )
        }
        if (spec.analysis?.mirrorWeight ?? 0) > 0, spec.analysis?.mirror != true {
            issues.add("spec.analysis.mirrorWeight", "needs mirror: true")
        }
        if let analysis = spec.analysis, !(analysis.match ?? []).isEmpty, (analysis.iterations ?? 0) == 0 {
            issues.add("spec.analysis.match", "A/B testing (match) needs analysis.iterations; with stepWeight it would be ignored")
        }
    }
}
