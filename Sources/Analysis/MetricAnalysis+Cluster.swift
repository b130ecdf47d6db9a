import KubeClient
import KubeCore
import MetricProviders

extension MetricAnalysis {
    /// Lists through the operator's own client: its credentials, its TLS settings, its API server.
    static func clusterAccess(_ client: KubeClient) -> ClusterAccess {
        ClusterAccess { resource, namespace, labelSelector throws(ClusterAccess.Failure) in
            do {
                return try await client.resource(resource, as: JSONValue.self).list(
                    namespace: namespace, options: ListOptions(labelSelector: labelSelector)
                ).items
            } catch let error as KubeAPIError {
                throw ClusterAccess.Failure(status: error.status.code, message: "\(error)")
            } catch {
                throw ClusterAccess.Failure(status: nil, message: "\(error)")
            }
        }
    }
}
