import Foundation
import KubeCore

extension ClusterAccess {
    /// How a wait for an object to finish ended.
    enum Wait<Outcome: Sendable>: Sendable {
        case finished(Outcome)
        /// The deadline passed first.
        case deadline
        /// The watch ended first (the object was deleted, or the API server closed the watch).
        case ended
    }

    /// Follows `name` through a watch from `resourceVersion` until `outcome` reads one of its versions as
    /// finished, or `timeout` passes on `clock`. Driven by the object's changes, not by polling.
    func wait<Outcome: Sendable>(
        for resource: KubeResource, namespace: String, name: String, after resourceVersion: String?, clock: OperatorClock,
        timeout: Duration, outcome: @escaping @Sendable (JSONValue) -> Outcome?
    ) async throws(Failure) -> Wait<Outcome> {
        let versions = try await watch(resource, namespace, name, resourceVersion)
        do {
            return try await withThrowingTaskGroup(of: Wait<Outcome>.self) { group in
                group.addTask {
                    for try await object in versions {
                        if let finished = outcome(object) { return .finished(finished) }
                    }
                    return .ended
                }
                group.addTask {
                    try await clock.sleep(for: timeout)
                    return .deadline
                }
                defer { group.cancelAll() }
                return try await group.next() ?? .ended
            }
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(status: nil, message: "\(error)")
        }
    }
}
