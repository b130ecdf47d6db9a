import Foundation
import KubeAPIServer
import KubeCore

/// Keptn's metrics operator, as far as the sandbox needs it (`metrics.keptn.sh/v1beta1`; Keptn itself is
/// archived): its CRDs, a KeptnMetric's `status.value` kept current, and each new Analysis completed.
///
/// A KeptnMetric whose `spec.provider.name` is `sandbox` measures the Deployment its `spec.query` names as
/// `deployment=<name>` (in its namespace): its success rate in percent, or, when the query says
/// `request-duration`, its P99 in milliseconds, from the workload's behaviour annotations as its traffic would.
/// An Analysis passes when the Deployment its `args.workload` names succeeds at least `args.min` percent
/// (default 99) — the sandbox does not evaluate AnalysisDefinitions.
public actor KeptnSimulator {
    /// The CRDs the sandbox installs: KeptnMetric, Analysis, AnalysisDefinition.
    public static let customResources: [JSONValue] = [
        CRDManifest(group: "metrics.keptn.sh", kind: "KeptnMetric", plural: "keptnmetrics", versions: ["v1beta1"]).json,
        CRDManifest(group: "metrics.keptn.sh", kind: "Analysis", plural: "analyses", versions: ["v1beta1"]).json,
        CRDManifest(group: "metrics.keptn.sh", kind: "AnalysisDefinition", plural: "analysisdefinitions", versions: ["v1beta1"]).json,
    ]

    private let store: ObjectStore
    private let clock: OperatorClock

    public init(store: ObjectStore, clock: OperatorClock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Follows KeptnMetrics, Analyses and Deployments until cancelled.
    public func run() async {
        let (events, continuation) = AsyncStream.makeStream(of: String.self)
        await store.observe { event, type, _ in
            guard ["keptnmetrics", "analyses", "deployments"].contains(type.resource.plural), event != "DELETED" else { return }
            continuation.yield(type.resource.plural)
        }
        for await plural in events {
            if plural == "analyses" { await completeAnalyses() } else { await refreshMetrics() }
        }
    }

    private func refreshMetrics() async {
        guard let metrics = await store.type(plural: "keptnmetrics", group: "metrics.keptn.sh") else { return }
        for metric in (try? await store.list(metrics, namespace: nil).items) ?? [] {
            guard metric[path: "spec", "provider", "name"]?.stringValue == "sandbox", let query = metric[path: "spec", "query"]?.stringValue,
                let namespace = metric[path: "metadata", "namespace"]?.stringValue, let name = metric[path: "metadata", "name"]?.stringValue,
                let behaviour = await behaviour(Self.deployment(in: query), namespace: namespace)
            else { continue }
            let value = query.contains("request-duration") ? behaviour.p99Milliseconds : behaviour.successPercent
            let text = value == value.rounded() ? String(Int64(value)) : String(value)
            guard metric[path: "status", "value"]?.stringValue != text else { continue }
            var updated = metric
            updated["status"] = [
                "value": .string(text), "rawValue": .string(Data(text.utf8).base64EncodedString()),
                "lastUpdated": .string(KubeTime(clock.date).description),
            ]
            _ = try? await store.update(metrics, namespace: namespace, name: name, object: updated, subresource: "status")
        }
    }

    private func completeAnalyses() async {
        guard let analyses = await store.type(plural: "analyses", group: "metrics.keptn.sh") else { return }
        for analysis in (try? await store.list(analyses, namespace: nil).items) ?? [] where analysis[path: "status", "state"] == nil {
            guard let namespace = analysis[path: "metadata", "namespace"]?.stringValue, let name = analysis[path: "metadata", "name"]?.stringValue
            else { continue }
            let minimum = analysis[path: "spec", "args", "min"]?.stringValue.flatMap(Double.init) ?? 99
            let behaviour = await behaviour(analysis[path: "spec", "args", "workload"]?.stringValue, namespace: namespace)
            let pass = behaviour.map { $0.successPercent >= minimum } ?? false
            var updated = analysis
            updated["status"] = ["state": "Completed", "pass": .bool(pass), "warning": false, "raw": .string(pass ? "passed" : "failed")]
            _ = try? await store.update(analyses, namespace: namespace, name: name, object: updated, subresource: "status")
        }
    }

    private func behaviour(_ name: String?, namespace: String) async -> WorkloadBehaviour? {
        guard let name else { return nil }
        return await WorkloadBehaviour.ofDeployment(name, namespace: namespace, in: store)
    }

    /// The Deployment a query names as `deployment=<name>`.
    static func deployment(in query: String) -> String? {
        guard let range = query.range(of: "deployment=") else { return nil }
        let name = query[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
        return name.isEmpty ? nil : String(name)
    }
}
