import CanaryAPI
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// The Knative Service side of a Canary (`serving.knative.dev/v1` `Service`, `provider: knative`), as Flagger
/// runs it: Serin creates nothing. Knative makes a Revision of each new template; the canary is the revision
/// Knative created last (`status.latestCreatedRevisionName`), the primary the one the Service's
/// `flagger.app/primary-revision` annotation names. Initialization writes the annotation, promotion moves it;
/// the ``Routers/KnativeRouter`` splits `spec.traffic` between the two.
///
/// ## Guarantees
/// - A revision is the revision's name: a new template is a new release once Knative has created its Revision.
/// - Readiness is the Revision's `Ready` condition; not ready for longer than `progressDeadlineSeconds` since
///   the Canary's last transition, it has failed.
/// - Writes are merge patches of the one annotation: nothing else of the Service changes.
///
/// ## Caveats
/// Knative scales revisions itself: scaling the target is a no-op, and `autoscalerRef` is refused.
public struct KnativeServiceTarget: CanaryTarget {
    /// Knative Services for ``TargetRegistry``, enabled with the `knative` router, whose registration
    /// watches the Services and Revisions and grants what both need.
    public static let registration = TargetRegistration(
        kind: .knativeService, resource: WatchedResource(KnativeServing.services, crd: "services.serving.knative.dev"), rules: [],
        provider: .knative
    ) { client, caches, _ in
        KnativeServiceTarget(client: client, services: caches[KnativeServing.services], revisions: caches[KnativeServing.revisions])
    }

    let services: ObjectCache<DynamicObject>
    let revisions: ObjectCache<DynamicObject>
    let client: ResourceClient<JSONValue>

    public init(client: KubeClient, services: ObjectCache<DynamicObject>, revisions: ObjectCache<DynamicObject>) {
        self.services = services
        self.revisions = revisions
        self.client = client.resource(KnativeServing.services, as: JSONValue.self)
    }

    public var needsServices: Bool { false }

    public func target(of canary: Canary) -> JSONValue? { services.get(namespace: canary.namespace, name: canary.targetName)?.json }

    /// The Knative Service once it names its primary revision: the primary is a revision of the target.
    public func primary(of canary: Canary) -> JSONValue? {
        target(of: canary).flatMap { KnativeServing.primaryRevision(of: $0) == nil ? nil : $0 }
    }

    /// Knative labels a revision's pods with its Service's name.
    public func selectorLabel(of target: JSONValue) throws(TargetError) -> (key: String, value: String) {
        ("serving.knative.dev/service", target[path: "metadata", "name"]?.stringValue ?? "")
    }

    /// Names the revision Knative created last as the primary, unless one is named (Flagger's `Initialize`);
    /// before Knative created any, nothing (initialization waits).
    public func ensurePrimary(_ canary: Canary, target: JSONValue, owner: OwnerReference) async throws {
        guard KnativeServing.primaryRevision(of: target) == nil, let latest = KnativeServing.latestCreatedRevision(of: target) else { return }
        try await annotate(canary, primary: latest)
    }

    public func state(target: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        let revision = KnativeServing.latestCreatedRevision(of: target)
        return WorkloadState(templateHash: revision ?? "", readiness: readiness(of: revision, canary: canary, now: now), replicas: 1)
    }

    public func state(primary: JSONValue, canary: Canary, now: Date) -> WorkloadState {
        let revision = KnativeServing.primaryRevision(of: primary)
        return WorkloadState(templateHash: revision ?? "", readiness: readiness(of: revision, canary: canary, now: now), replicas: 1)
    }

    /// Names the analysed revision (the status's `lastAppliedSpec`, else the latest created) as the primary.
    /// Flagger names the latest created, which may be newer than the one analysed.
    public func promote(_ canary: Canary, target: JSONValue, copyReplicas: Bool, owner: OwnerReference) async throws {
        let analysed = canary.status?.lastAppliedSpec.flatMap { $0.isEmpty ? nil : $0 }
        guard let revision = analysed ?? KnativeServing.latestCreatedRevision(of: target) else {
            throw TargetError("Knative Service \(canary.namespace)/\(canary.targetName) has no revision to promote", terminal: false)
        }
        try await annotate(canary, primary: revision)
    }

    /// Knative scales revisions on its own.
    public func scaleTarget(_ canary: Canary, replicas: Int) async throws {}

    public func scaleUpReplicas(_ canary: Canary) -> Int { 1 }

    private func annotate(_ canary: Canary, primary revision: String) async throws {
        let annotations: JSONValue = [.init(KnativeServing.primaryRevisionAnnotation): .string(revision)]
        try await client.patchReadingVersion(
            canary.targetName, namespace: canary.namespace, patch: .merge(["metadata": ["annotations": annotations]]))
    }

    func readiness(of revision: String?, canary: Canary, now: Date) -> Readiness {
        KnativeServiceTarget.readiness(
            of: revision, object: revision.flatMap { revisions.get(namespace: canary.namespace, name: $0)?.json }, canary: canary, now: now)
    }

    /// Flagger's readiness of a Knative Revision (`object`, `nil` when not found): its `Ready` condition is
    /// `True`; not ready past `progressDeadlineSeconds` since the Canary's last transition, failed. Pure.
    public static func readiness(of revision: String?, object: JSONValue?, canary: Canary, now: Date) -> Readiness {
        guard let revision else { return .waiting("Knative Service \(canary.namespace)/\(canary.targetName) has no revision yet") }
        if let object, isReady(object) { return .ready }
        let reason = object == nil ? "not found" : "is not ready"
        let since = (canary.status?.lastTransitionTime).flatMap { KubeTime(rfc3339: $0)?.date }
        if let since, now.timeIntervalSince(since) > Double(canary.progressDeadlineSeconds) {
            return .failed(
                "Knative Revision \(revision).\(canary.namespace) \(reason) after progressDeadlineSeconds: \(canary.progressDeadlineSeconds)")
        }
        return .waiting("Knative Revision \(revision).\(canary.namespace) \(reason)")
    }

    /// Whether a Revision's `Ready` condition is `True`.
    public static func isReady(_ revision: JSONValue) -> Bool {
        (revision[path: "status", "conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }
}
