import Foundation
import KubeAPIServer
import KubeCore

/// The sandbox's External Metrics adapter (`external.metrics.k8s.io/v1beta1`, as KEDA's or Datadog's
/// cluster agent serves it): for each Deployment, from its behaviour annotations as its traffic would measure
/// it, `request-success-rate` (percent) and `request-duration-p99` (milliseconds). A list names the
/// Deployment by label selector: `deployment=<name>` or `app=<name>`.
public struct ExternalMetricsAdapter: AggregatedAPI {
    public let group = "external.metrics.k8s.io"
    let store: ObjectStore

    public init(store: ObjectStore) { self.store = store }

    static let metrics = ["request-success-rate", "request-duration-p99"]

    public func get(_ path: [String], parameters: [String: String]) async -> (status: Int, body: JSONValue) {
        if path == ["v1beta1"] {
            let resources = Self.metrics.map { name -> JSONValue in
                ["name": .string(name), "singularName": "", "namespaced": true, "kind": "ExternalMetricValueList", "verbs": ["get"]]
            }
            return (
                200,
                ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "external.metrics.k8s.io/v1beta1", "resources": .array(resources)]
            )
        }
        guard path.count == 4, path[0] == "v1beta1", path[1] == "namespaces" else {
            return Self.notFound("the server could not find the requested resource")
        }
        let (namespace, metric) = (path[2], path[3])
        guard Self.metrics.contains(metric) else {
            return Self.notFound("unable to get external metric \(namespace)/\(metric)/nil: no metric \(metric) is served by the sandbox")
        }
        var items: [JSONValue] = []
        if let name = Self.deployment(selectedBy: parameters["labelSelector"] ?? ""),
            let behaviour = await WorkloadBehaviour.ofDeployment(name, namespace: namespace, in: store)
        {
            let value = metric == "request-success-rate" ? behaviour.successPercent : behaviour.p99Milliseconds
            items.append([
                "metricName": .string(metric), "metricLabels": ["deployment": .string(name)],
                "timestamp": .string(KubeTime(Date()).description), "value": .string(Self.quantity(value)),
            ])
        }
        return (200, ["kind": "ExternalMetricValueList", "apiVersion": "external.metrics.k8s.io/v1beta1", "metadata": [:], "items": .array(items)])
    }

    /// The Deployment an equality selector names (`deployment=x` or `app=x`, among other terms).
    static func deployment(selectedBy selector: String) -> String? {
        for term in selector.split(separator: ",") {
            let parts = term.replacingOccurrences(of: "==", with: "=").split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if parts.count == 2, ["deployment", "app"].contains(parts[0]), !parts[1].isEmpty { return parts[1] }
        }
        return nil
    }

    /// A Kubernetes quantity: whole numbers as they are, others in thousandths (`99500m`).
    static func quantity(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(Int64((value * 1000).rounded()))m"
    }

    static func notFound(_ message: String) -> (Int, JSONValue) {
        (
            404,
            [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message), "reason": "NotFound",
                "code": 404,
            ]
        )
    }
}
