import KubeClient
import KubeCore
import MetricProviders

extension MetricAnalysis {
    /// Reads and writes through the operator's own client: its credentials, its TLS settings, its API server.
    static func clusterAccess(_ client: KubeClient) -> ClusterAccess {
        @Sendable func failure(_ error: any Error) -> ClusterAccess.Failure {
            if let error = error as? KubeAPIError { return ClusterAccess.Failure(status: error.status.code, message: "\(error)") }
            return ClusterAccess.Failure(status: nil, message: "\(error)")
        }
        return ClusterAccess(
            list: { resource, namespace, labelSelector throws(ClusterAccess.Failure) in
                do {
                    return try await client.resource(resource, as: JSONValue.self).list(
                        namespace: namespace, options: ListOptions(labelSelector: labelSelector)
                    ).items
                } catch { throw failure(error) }
            },
            get: { resource, namespace, name throws(ClusterAccess.Failure) in
                do { return try await client.resource(resource, as: JSONValue.self).get(name, namespace: namespace) } catch { throw failure(error) }
            },
            create: { resource, namespace, object throws(ClusterAccess.Failure) in
                do { return try await client.resource(resource, as: JSONValue.self).create(object, namespace: namespace) } catch {
                    throw failure(error)
                }
            },
            delete: { resource, namespace, name throws(ClusterAccess.Failure) in
                // In the background: a Job's pods go with it (the API's default for Jobs orphans them).
                do {
                    _ = try await client.resource(resource, as: JSONValue.self).delete(
                        name, namespace: namespace, options: DeleteOptions(propagationPolicy: .background))
                } catch { throw failure(error) }
            },
            watch: { resource, namespace, name, resourceVersion throws(ClusterAccess.Failure) in
                let events: WatchStream<JSONValue>
                do {
                    events = try await client.resource(resource, as: JSONValue.self).watch(
                        namespace: namespace,
                        options: WatchOptions(fieldSelector: "metadata.name=\(name)", resourceVersion: resourceVersion, allowWatchBookmarks: false))
                } catch { throw failure(error) }
                return AsyncThrowingStream { continuation in
                    let pump = Task {
                        do {
                            for try await event in events {
                                if case .deleted = event { break }
                                if let object = event.object { continuation.yield(object) }
                            }
                            continuation.finish()
                        } catch { continuation.finish(throwing: error) }
                    }
                    continuation.onTermination = { _ in pump.cancel() }
                }
            })
    }
}
