import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// KEDA's `ScaledObject` as a Canary's autoscaler, as Flagger drives it: `<so>-primary` scales the primary
/// (its triggers' queries pointed at the primary, or replaced by `primaryScalerQueries`), created with the
/// Canary and updated at promotion; the target's own ScaledObject is paused
/// (`autoscaling.keda.sh/paused-replicas: "0"`) while the target is scaled to zero and resumed for an analysis.
///
/// Read with a GET when needed, not watched: a cluster without KEDA must not stop the operator, and a change
/// to the target's ScaledObject only matters at the next promotion.
public struct ScaledObjectScaler: Sendable {
    public static let resource = KubeResource(group: "keda.sh", version: "v1alpha1", kind: "ScaledObject", plural: "scaledobjects", namespaced: true)
    public static let pausedAnnotation = "autoscaling.keda.sh/paused-replicas"

    let client: ResourceClient<JSONValue>

    public init(client: KubeClient) { self.client = client.resource(ScaledObjectScaler.resource, as: JSONValue.self) }

    /// The target's ScaledObject; a missing one (or KEDA not installed) is named.
    func source(_ canary: Canary, name: String) async throws -> JSONValue {
        do { return try await client.get(name, namespace: canary.namespace) } catch let error as KubeAPIError where error.isNotFound {
            throw TargetError("ScaledObject \(canary.namespace)/\(name) not found")
        }
    }

    /// Creates `<so>-primary` when missing; with `promoting`, sets its spec from the target's.
    /// One GET between promotions (the primary's); the target's only when the primary is written.
    func reconcile(_ canary: Canary, name: String, owner: OwnerReference, promoting: Bool) async throws {
        let primaryName = "\(name)-primary"
        let live: JSONValue?
        do { live = try await client.get(primaryName, namespace: canary.namespace) } catch let error as KubeAPIError where error.isNotFound {
            live = nil
        }
        if live != nil, !promoting { return }
        let source = try await source(canary, name: name)
        guard let live else {
            var created = ScaledObjectScaler.desiredPrimary(canary, source: source)
            created[path: "metadata", "name"] = .string(primaryName)
            created[path: "metadata", "ownerReferences"] = [owner.json]
            _ = try await client.create(created, namespace: canary.namespace)
            return
        }
        let desired = ScaledObjectScaler.desiredPrimary(canary, source: source)
        guard live["spec"] != desired["spec"] else { return }
        try await client.patchReadingVersion(
            primaryName, namespace: canary.namespace, patch: .json([JSONPatchOperation(.replace, path: "/spec", value: desired["spec"] ?? [:])]))
    }

    /// The primary ScaledObject: the target's spec scaling the primary, its triggers' `query` pointed at the
    /// primary (Flagger's rewrite of the target's name, `-canary` included) unless `primaryScalerQueries`
    /// names the trigger, the KEDA HPA's name suffixed, `primaryScalerReplicas` as its bounds. Pure.
    public static func desiredPrimary(_ canary: Canary, source: JSONValue) -> JSONValue {
        var spec = source["spec"] ?? [:]
        spec[path: "scaleTargetRef", "name"] = .string(canary.primaryName)
        let queries = canary.spec.autoscalerRef?.primaryScalerQueries
        spec["triggers"] = .array(
            (spec["triggers"]?.arrayValue ?? []).map { trigger in
                var trigger = trigger
                if let queries {
                    if let name = trigger["name"]?.stringValue, let query = queries[name] { trigger[path: "metadata", "query"] = .string(query) }
                } else if let query = trigger[path: "metadata", "query"]?.stringValue {
                    trigger[path: "metadata", "query"] = .string(primaryQuery(query, target: canary.targetName))
                }
                return trigger
            })
        if let hpa = spec[path: "advanced", "horizontalPodAutoscalerConfig", "name"]?.stringValue, !hpa.isEmpty {
            spec[path: "advanced", "horizontalPodAutoscalerConfig", "name"] = .string("\(hpa)-primary")
        }
        if let replicas = canary.spec.autoscalerRef?.primaryScalerReplicas {
            if let low = replicas.minReplicas { spec["minReplicaCount"] = .int(low) }
            if let high = replicas.maxReplicas { spec["maxReplicaCount"] = .int(high) }
        }
        let metadata = (source["metadata"]?.objectValue ?? [:]).filter { ["labels", "annotations"].contains($0.key) }
        var object: JSONValue = ["apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": .object(metadata), "spec": spec]
        object[path: "metadata", "annotations", pausedAnnotation] = nil
        object[path: "metadata", "annotations", CacheTransform.lastAppliedAnnotation] = nil
        return object
    }

    /// `query` about the target made about the primary: `<target>-canary` and `<target>` both become
    /// `<target>-primary`.
    static func primaryQuery(_ query: String, target: String) -> String {
        let marker = "\u{0}canary\u{0}"
        return query.replacingOccurrences(of: "\(target)-canary", with: marker)
            .replacingOccurrences(of: target, with: "\(target)-primary")
            .replacingOccurrences(of: marker, with: "\(target)-primary")
    }

    /// Pauses (`true`) or resumes the target's ScaledObject, so KEDA does not scale a target Serin holds at zero.
    func pause(_ canary: Canary, name: String, _ paused: Bool) async throws {
        let source = try await source(canary, name: name)
        let isPaused = source[path: "metadata", "annotations", ScaledObjectScaler.pausedAnnotation] != nil
        guard isPaused != paused else { return }
        try await client.patchReadingVersion(
            name, namespace: canary.namespace,
            patch: .merge(["metadata": ["annotations": [.init(ScaledObjectScaler.pausedAnnotation): paused ? "0" : .null]]]))
    }
}
