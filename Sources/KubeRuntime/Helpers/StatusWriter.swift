import KubeClient
import KubeCore

/// Writes an object's `status` through the status subresource: read the latest object, change its status,
/// write it with its resourceVersion, and on a conflict or a server error read again and retry.
public struct StatusWriter: Sendable {
    /// When to try again (conflicts, server errors, rate limits, broken connections).
    public var retry: RetryPolicy

    public init(sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        retry = RetryPolicy(backoff: Backoff(initial: .milliseconds(50), maximum: .seconds(2)), sleep: sleep)
    }

    /// Applies `mutate` to the latest status and writes it; returns the stored object.
    ///
    /// - Throws: the last error once the attempts are used up, or at once for errors that retrying cannot fix.
    public func update(
        _ resource: ResourceClient<JSONValue>, name: String, namespace: String?, mutate: @Sendable (inout JSONValue) throws -> Void
    ) async throws -> JSONValue {
        try await retry.run {
            var object = try await resource.get(name, namespace: namespace)
            var status = object["status"] ?? [:]
            try mutate(&status)
            if object["status"] == status { return object }  // nothing to write
            object["status"] = status
            return try await resource.updateStatus(object, name: name, namespace: namespace)
        }
    }
}
