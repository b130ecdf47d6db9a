import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// A Kubernetes Service as a Canary's target (`targetRef.kind: Service`, fluxcd/flagger#372): whatever the
/// Service selects is the release. Serin keeps `<target>-canary` a copy of the target Service and
/// `<target>-primary` the copy it last promoted; the mesh router splits traffic between the two, and promotion
/// copies the target's spec to the primary. No workload is scaled and nothing waits for pods: a Service is
/// ready when it exists.
///
/// The target writes those two Services itself, so the apex, `-primary` and `-canary` Services a workload
/// target gets are not written (``needsServices``).
public struct ServiceTarget: CanaryTarget {
    /// Services for ``TargetRegistry``.
    public static let registration = TargetRegistration(kind: .service, resource: WatchedResource(.services, owned: true)) {
        client, caches, options in
        ServiceTarget(client: client, cache: caches[.services], labels: options.labels)
    }

    let client: ResourceClient<JSONValue>
    let cache: ObjectCache<DynamicObject>
    let applier: OwnedObjectApplier
    let labels: LabelCopier

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>, labels: LabelCopier = LabelCopier()) {
        self.client = client.resource(.services, as: JSONValue.self)
        self.cache = cache
        self.applier = OwnedObjectApplier(client: self.client, cache: cache, markers: OwnedObjectApplier.fluxMarkers)
        self.labels = labels
    }

    public var needsServices: Bool { false }

    public func target(of canary: Canary) -> JSONValue? { cache.get(namespace: canary.namespace, name: canary.targetName)?.json }

    public func primary(of canary: Canary) -> JSONValue? { cache.get(namespace: canary.namespace, name: canary.primaryName)?.json }

    /// A Service names no pods of its own: Flagger's `GetMetadata` gives nothing either.
    public func selectorLabel(of target: JSONValue) throws(TargetError) -> (key: String, value: String) { ("", "") }

    /// Creates `<target>-primary` (once) and keeps `<target>-canary` a copy of the target.
    public func ensurePrimary(_ canary: Canary, target: JSONValue, owner: OwnerReference) async throws {
        let revision = ServiceTarget.revision(target)
        try await applier.apply(namespace: canary.namespace, name: "\(canary.targetName)-canary", owner: owner, adopting: false) { live in
            ServiceTarget.copy(of: target, canary: canary, live: live, metadata: nil)
        }
        guard primary(of: canary) == nil else { return }
        try await applier.apply(namespace: canary.namespace, name: canary.primaryName, owner: owner, adopting: false) { live in
            var primary = ServiceTarget.copy(of: target, canary: canary, live: live, metadata: nil)
            primary[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation] = .string(revision)
            return primary
        }
    }

    public func state(target: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        WorkloadState(templateHash: ServiceTarget.revision(target), readiness: .ready, replicas: 1)
    }

    public func state(primary: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        WorkloadState(
            templateHash: primary[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation]?.stringValue ?? "",
            readiness: .ready, replicas: 1)
    }

    /// Copies the target's spec to the primary, its labels and annotations through `--include-label-prefix`.
    public func promote(_ canary: Canary, target: JSONValue, copyReplicas: Bool, owner: OwnerReference) async throws {
        let metadata: JSONValue = [
            "labels": .object(labels.included(target[path: "metadata", "labels"]?.objectValue ?? [:])),
            "annotations": .object(labels.included(target[path: "metadata", "annotations"]?.objectValue ?? [:])),
        ]
        try await applier.apply(namespace: canary.namespace, name: canary.primaryName, owner: owner, adopting: false) { live in
            var primary = ServiceTarget.copy(of: target, canary: canary, live: live, metadata: metadata)
            primary[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation] = .string(ServiceTarget.revision(target))
            return primary
        }
    }

    /// Nothing to scale.
    public func scaleTarget(_ canary: Canary, replicas: Int) async throws {}

    public func scaleUpReplicas(_ canary: Canary) -> Int { 1 }
}
