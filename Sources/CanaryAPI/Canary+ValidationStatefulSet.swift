import KubeCore

extension Canary {
    /// A StatefulSet target (Serin's) is released through its own partitioned rolling update: no copy of the
    /// workload and no traffic router. What needs either is refused, naming the field: other strategies than
    /// steps of pods, a baseline, mirroring, session affinity, a stepped promotion, keeping the previous
    /// version, an autoscaler of a primary, and `spec.service` and the routing references (its Services and
    /// routes stay as the user made them).
    func validateStatefulSetTarget(into issues: inout ValidationIssues) {
        guard targetKind == .statefulSet else { return }
        let inPlace = "a StatefulSet target is updated in place, pod by pod, with no copy and no traffic router"
        if strategy != .canary {
            issues.add("spec.analysis", "\(inPlace): release it in steps of pods with stepWeight or stepWeights, not \(strategy.rawValue)")
        }
        if spec.autoscalerRef != nil { issues.add("spec.autoscalerRef", "\(inPlace): there is no primary to scale") }
        if let analysis = spec.analysis {
            if analysis.runsBaseline { issues.add("spec.analysis.baseline", "\(inPlace): there is no baseline to run") }
            if analysis.mirror == true { issues.add("spec.analysis.mirror", "\(inPlace): requests cannot be mirrored") }
            if analysis.sessionAffinity != nil { issues.add("spec.analysis.sessionAffinity", "\(inPlace): users cannot be pinned to a revision") }
            if (analysis.stepWeightPromotion ?? 0) > 0 {
                issues.add("spec.analysis.stepWeightPromotion", "\(inPlace): promotion updates the remaining pods (partition 0)")
            }
            if analysis.bake?.keepPrevious == true {
                issues.add("spec.analysis.bake.keepPrevious", "\(inPlace): no previous version can be kept running")
            }
        }
        let routing = "\(inPlace): leave it out, the Services and routes stay as you made them"
        if spec.ingressRef != nil { issues.add("spec.ingressRef", routing) }
        if spec.routeRef != nil { issues.add("spec.routeRef", routing) }
        if spec.upstreamRef != nil { issues.add("spec.upstreamRef", routing) }
        guard let service = spec.service else { return }
        let fields: [String]
        do { fields = try JSONValue(encoding: service).objectValue?.keys.sorted() ?? [] } catch { fields = ["port"] }
        for field in fields { issues.add("spec.service.\(field)", routing) }
    }
}
