import Foundation

extension Kubectl {
    /// A barrier on the operator's progress for one Canary, instead of a sleep: a `serin.dev/request` for a
    /// revision that is not under way, which the operator refuses (a Warning) and removes. Once it is gone, a
    /// reconcile has seen everything written before it, so what the test reads next is the operator's answer
    /// to those writes. Returns whether it was removed within `timeout`.
    public func operatorBarrier(canary: String, namespace: String, timeout: Duration = .seconds(90)) async throws -> Bool {
        let request = #"{"action":"retry","revision":"barrier","by":"test","at":"\#(UUID().uuidString)"}"#
        _ = try await succeed(["annotate", "canary", canary, "-n", namespace, "serin.dev/request=\(request)", "--overwrite"])
        return try await eventually(timeout: timeout) {
            let value = try await succeed(["get", "canary", canary, "-n", namespace, "-o", #"jsonpath={.metadata.annotations.serin\.dev/request}"#])
            return value.isEmpty
        }
    }
}
