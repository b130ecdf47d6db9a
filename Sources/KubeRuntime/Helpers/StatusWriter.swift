import KubeClient
import KubeCore

/// Writes an object's `status` through the status subresource: read the latest object, change its status,
/// write it with its resourceVersion, and on a conflict or a server error read again and retry.
public struct StatusWriter: Sendable {
    /// How many attempts before giving up.
    public var attempts = 5
    /// The back-off between attempts.
    public var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(2))
    let sleep: @Sendable (Duration) async throws -> Void

    public init(sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.sleep = sleep
    }

    /// Applies `mutate` to the latest status and writes it; returns the stored object.
    ///
    /// - Throws: the last error once `attempts` are used up, or at once for errors that retrying cannot fix.
    public func update(
        _ resource: ResourceClient<JSONValue>, name: String, namespace: String?, mutate: @Sendable (inout JSONValue) throws -> Void
    ) async throws -> JSONValue {
        var backoff = self.backoff
        var attempt = 0
        while true {
            attempt += 1
            do {
                var object = try await resource.get(name, namespace: namespace)
                var status = object["status"] ?? [:]
                try mutate(&status)
                if object["status"] == status { return object }  // nothing to write
                object["status"] = status
                return try await resource.updateStatus(object, name: name, namespace: namespace)
            } catch let error as KubeAPIError where [.conflict, .serverError, .tooManyRequests].contains(error.reason) && attempt < attempts {
                try await sleep(backoff.nextDelay())
            } catch let error as KubeClientError where error.isTransport && attempt < attempts {
                try await sleep(backoff.nextDelay())
            }
        }
    }
}
