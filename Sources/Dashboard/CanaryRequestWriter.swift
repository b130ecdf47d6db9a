import CanaryAPI
import Foundation
import KubeClient
import KubeCore

/// Writes a person's requests on a Canary as `kubectl serin` does — the annotations `serin.dev/request` and
/// `serin.dev/paused`, server-side applied by the field manager `kubectl-serin` (so a GitOps tool applying the
/// Canary's manifest leaves them alone) — with that person's own client: what their RBAC forbids fails with
/// the API server's own error.
public struct CanaryRequestWriter: Sendable {
    public static let fieldManager = "kubectl-serin"
    let client: KubeClient
    let user: String

    public init(client: KubeClient, user: String) {
        self.client = client
        self.user = user
    }

    var canaries: ResourceClient<JSONValue> { client.resource(Canary.resource, as: JSONValue.self) }

    /// What was written, for the person who asked.
    public enum Outcome: Sendable, Equatable {
        case written(String)
        /// Nothing to do (resuming a Canary that is not paused), saying why.
        case nothing(String)
    }

    /// Asks the operator for `action` on the Canary's current revision.
    ///
    /// - Throws: ``KubeAPIError`` as the API server answered (a 403 names what the user may not do);
    ///   ``NoRevision`` for a Canary still initializing.
    public func request(_ action: ControlRequest.Action, name: String, namespace: String, now: Date = Date()) async throws -> Outcome {
        let canary = try await canaries.get(name, namespace: namespace)
        guard let revision = canary[path: "status", "lastAppliedSpec"]?.stringValue else { throw NoRevision(canary: "\(namespace)/\(name)") }
        let request = ControlRequest(action: action, revision: revision, by: user, at: KubeTime(now).description)
        try await annotate(
            name: name, namespace: namespace, [ControlRequest.annotation: .string(String(decoding: request.json.serialized(), as: UTF8.self))])
        let phase = canary[path: "status", "phase"]?.stringValue ?? "?"
        return .written("\(action.rawValue) requested for canary \(namespace)/\(name) (revision \(revision), \(phase)) by \(user)")
    }

    /// Holds the Canary where it is until ``resume(name:namespace:)``.
    public func pause(name: String, namespace: String, now: Date = Date()) async throws -> Outcome {
        _ = try await canaries.get(name, namespace: namespace)
        let value: JSONValue = ["by": .string(user), "at": .string(KubeTime(now).description)]
        try await annotate(
            name: name, namespace: namespace, [ControlRequest.pausedAnnotation: .string(String(decoding: value.serialized(), as: UTF8.self))])
        return .written("canary \(namespace)/\(name) paused by \(user)")
    }

    /// Lets a paused Canary go on.
    public func resume(name: String, namespace: String) async throws -> Outcome {
        let canary = try await canaries.get(name, namespace: namespace)
        guard canary[path: "metadata", "annotations", ControlRequest.pausedAnnotation] != nil else {
            return .nothing("canary \(namespace)/\(name) is not paused")
        }
        _ = try await canaries.patch(
            name, namespace: namespace, patch: .merge(["metadata": ["annotations": .object([ControlRequest.pausedAnnotation: .null])]]))
        return .written("canary \(namespace)/\(name) resumed")
    }

    /// Server-side applies `annotations` on the Canary as `kubectl-serin`.
    public func annotate(name: String, namespace: String, _ annotations: [String: JSONValue]) async throws {
        let intent: JSONValue = [
            "apiVersion": .string(Canary.resource.apiVersion), "kind": "Canary",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "annotations": .object(JSONObject(uniqueKeysWithValues: annotations.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            ],
        ]
        _ = try await canaries.patch(name, namespace: namespace, patch: .apply(intent, fieldManager: CanaryRequestWriter.fieldManager, force: true))
    }

    /// A Canary without a revision yet: nothing to ask about.
    public struct NoRevision: Error, CustomStringConvertible {
        public var canary: String
        public var description: String { "canary \(canary) has no revision yet (it is still initializing)" }
    }
}
