import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

extension CanaryStatusRecorder {
    /// The JSON pointer of the `serin.dev/request` annotation.
    static let requestPointer =
        "/metadata/annotations/"
        + ControlRequest.annotation
        .replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")

    /// Removes the handled `serin.dev/request`, written after the status that records it as handled
    /// (`status.lastHandledRequest`).
    ///
    /// A JSON patch that first tests the value decided on: a newer request written meanwhile is left for the
    /// next reconcile, and a request removed already (the reconcile saw it again before its removal's watch
    /// event) changes nothing. The removal's resourceVersion counts as our write, so no reconcile decides
    /// from the cache that still holds the request; one that sees it anyway (the removal failed, the operator
    /// restarted) finds it recorded and only removes it.
    func removeRequest(of canary: Canary, logger: Logger) async throws {
        guard let value = canary.metadata.annotations?[ControlRequest.annotation] else { return }
        let name = canary.metadata.name ?? ""
        let pointer = CanaryStatusRecorder.requestPointer
        do {
            let stored = try await canaries.patch(
                name, namespace: canary.namespace,
                patch: .json([
                    JSONPatchOperation(.test, path: pointer, value: .string(value)), JSONPatchOperation(.remove, path: pointer),
                ]))
            written.record(
                ObjectKey(namespace: canary.namespace, name: name), resourceVersion: stored[path: "metadata", "resourceVersion"]?.stringValue)
        } catch let error as KubeAPIError where error.reason == .invalid || error.isNotFound {
            // The test failed: the request is gone or another one replaced it (or the Canary is gone).
            logger.debug("the handled request was already removed or replaced", metadata: ["reason": "\(error.status.message ?? "")"])
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ActingError(step: "remove the handled \(ControlRequest.annotation)", cause: error)
        }
    }
}
