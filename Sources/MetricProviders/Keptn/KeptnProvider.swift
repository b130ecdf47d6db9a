import CanaryAPI
import Foundation
import KubeCore

/// Keptn's metrics (`metrics.keptn.sh/v1beta1`), as Flagger's `keptn` provider reads them from the cluster:
/// `keptnmetric/<namespace>/<name>` is a KeptnMetric's `status.value`; `analysis/<namespace>/<definition>/<timeframe>/<k=v;…>`
/// creates an Analysis of that AnalysisDefinition over the timeframe, follows it (a watch) up to 10 s until it completes, and is
/// 1 when it passed, 0 when it did not; the Analysis is deleted afterwards. Keptn itself is archived (2025);
/// this reads the CRDs of existing installations.
public struct KeptnProvider: MetricProvider {
    public static let registration = MetricProviderRegistration(type: .keptn, address: .unused) {
        config throws(MetricError) in try KeptnProvider(config: config)
    }

    static func resource(_ plural: String, kind: String) -> KubeResource {
        KubeResource(group: "metrics.keptn.sh", version: "v1beta1", kind: kind, plural: plural, namespaced: true)
    }
    static let metrics = resource("keptnmetrics", kind: "KeptnMetric")
    static let analyses = resource("analyses", kind: "Analysis")
    /// How long an Analysis may take (Flagger's `analysisTimeout`).
    static let analysisTimeout: Duration = .seconds(10)

    let config: MetricProviderConfig
    let cluster: ClusterAccess

    public init(config: MetricProviderConfig) throws(MetricError) {
        guard let cluster = config.cluster else {
            throw MetricError.configuration("could not initialize KeptnProvider: no cluster access")
        }
        self.config = config
        self.cluster = cluster
    }

    public func query(_ query: String) async throws(MetricError) -> Double {
        switch try KeptnQuery(parsing: query) {
        case .metric(let namespace, let name): return try await metricValue(namespace: namespace, name: name)
        case .analysis(let namespace, let definition, let timeframe, let arguments):
            return try await analysis(namespace: namespace, definition: definition, timeframe: timeframe, arguments: arguments)
        }
    }

    /// Keptn's CRDs are served: listing KeptnMetrics answers (Flagger's check always says yes).
    public func isOnline() async -> Bool {
        do {
            _ = try await cluster.list(Self.metrics, "kube-system", nil)
            return true
        } catch { return false }
    }

    private func metricValue(namespace: String, name: String) async throws(MetricError) -> Double {
        let object: JSONValue
        do { object = try await cluster.get(Self.metrics, namespace, name) } catch {
            throw MetricError.query("keptn: could not retrieve KeptnMetric \(namespace)/\(name): \(error.message)")
        }
        guard let text = object[path: "status", "value"]?.stringValue, !text.isEmpty else { throw MetricError.noValues }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
            throw MetricError.query("keptn: could not parse value of KeptnMetric \(namespace)/\(name) to float: \(text)")
        }
        guard value.isFinite else { throw MetricError.notFinite(text) }
        return value
    }

    private func analysis(namespace: String, definition: String, timeframe: String, arguments: [(String, String)]) async throws(MetricError) -> Double
    {
        let name = "\(definition.prefix(56))-\(UUID().uuidString.lowercased().prefix(6))"
        let object: JSONValue = [
            "apiVersion": "metrics.keptn.sh/v1beta1", "kind": "Analysis", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "analysisDefinition": ["name": .string(definition)], "timeframe": ["recent": .string(timeframe)],
                "args": .object(JSONObject(arguments.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { $1 })),
            ],
        ]
        let created: JSONValue
        do { created = try await cluster.create(Self.analyses, namespace, object) } catch {
            throw MetricError.query("keptn: could not create Keptn Analysis \(namespace)/\(name): \(error.message)")
        }
        let outcome = await waitForCompletion(namespace: namespace, name: name, createdAt: created[path: "metadata", "resourceVersion"]?.stringValue)
        do { try await cluster.delete(Self.analyses, namespace, name) } catch {
            // Left behind, named: the check's verdict stands, and the Warning says what to clean up.
            if case .success = outcome {
                throw MetricError.query("keptn: could not delete Keptn Analysis \(namespace)/\(name): \(error.message)")
            }
        }
        return try outcome.get()
    }

    /// Follows the Analysis until it is `Completed`, or the timeout passes on the operator's clock.
    private func waitForCompletion(namespace: String, name: String, createdAt version: String?) async -> Result<Double, MetricError> {
        let path = "\(namespace)/\(name)"
        do {
            switch try await cluster.wait(
                for: Self.analyses, namespace: namespace, name: name, after: version, clock: config.clock, timeout: Self.analysisTimeout,
                outcome: KeptnProvider.outcome(of:))
            {
            case .finished(let value): return .success(value)
            case .deadline, .ended:
                return .failure(MetricError.query("keptn: encountered timeout while waiting for Keptn Analysis \(path) to be finished"))
            }
        } catch {
            return .failure(MetricError.query("keptn: could not check status of created Keptn Analysis \(path): \(error.message)"))
        }
    }

    /// 1 for a `Completed` Analysis that passed, 0 for one that did not, `nil` while it runs. Pure.
    static func outcome(of analysis: JSONValue) -> Double? {
        guard analysis[path: "status", "state"]?.stringValue == "Completed", case .bool(let pass) = analysis[path: "status", "pass"] else {
            return nil
        }
        return pass ? 1 : 0
    }
}
