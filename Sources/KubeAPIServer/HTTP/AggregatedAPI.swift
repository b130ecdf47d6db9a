import KubeCore

/// An API group served beside the stored resources, as kube-apiserver serves an aggregated API (an
/// `APIService`) from another server: the sandbox's External Metrics adapter is one.
public protocol AggregatedAPI: Sendable {
    /// The group it serves (`external.metrics.k8s.io`).
    var group: String { get }

    /// The answer to a `GET` of `path` (the segments after `/apis/<group>/`) with the request's query
    /// parameters: a status code and a JSON body (a `Status` for an error).
    func get(_ path: [String], parameters: [String: String]) async -> (status: Int, body: JSONValue)
}
