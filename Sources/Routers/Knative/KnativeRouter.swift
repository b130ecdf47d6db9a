import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// Knative routing for a Canary (`provider: knative`, a Knative Service target): Serin creates nothing and
/// splits the Knative Service's own `spec.traffic` between two revisions, the primary its
/// `flagger.app/primary-revision` annotation names and the canary Knative created last
/// (`status.latestCreatedRevisionName`).
///
/// ## Guarantees
/// - Both entries name their revision (`latestRevision: false`): traffic stays on the revisions analysed, and
///   a revision Knative creates meanwhile gets none until Serin routes it. (Flagger's canary entry is
///   `latestRevision: true`, which hands a newer revision the canary's share at once.)
/// - ``setRoutes(_:_:)`` is a merge patch of `spec.traffic` only: the template and every other field survive,
///   and so do tagged entries without traffic (Flagger replaces the whole list).
/// - No step is taken while Knative has not observed the Service's generation (``readiness(_:)``).
public struct KnativeRouter: TrafficRouter {
    let services: ObjectCache<DynamicObject>
    let client: ResourceClient<JSONValue>

    /// The `knative` provider for ``RouterRegistry``: the Knative Services (read, their traffic and annotation
    /// patched) and their Revisions (read for readiness by ``Targets/KnativeServiceTarget``).
    public static let registration = RouterRegistration(
        provider: .knative,
        resources: [
            WatchedResource(KnativeServing.services, crd: "services.serving.knative.dev"),
            WatchedResource(KnativeServing.revisions, crd: "revisions.serving.knative.dev"),
        ],
        rules: [
            PolicyRule(KnativeServing.services, verbs: PolicyRule.readVerbs + ["patch"]),
            PolicyRule(KnativeServing.revisions, verbs: PolicyRule.readVerbs),
        ],
        validation: validation
    ) { client, caches, _ in
        KnativeRouter(client: client, cache: caches[KnativeServing.services])
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>) {
        services = cache
        self.client = client.resource(KnativeServing.services, as: JSONValue.self)
    }

    /// Flagger's Knative queries over the Envoy gateway's `envoy_cluster_upstream_rq` and the P99 of
    /// `envoy_cluster_upstream_rq_time_bucket` (ms), by `envoy_cluster_name` `<namespace>/<revision>`, the
    /// revision being `{{ route }}` (the canary revision for a Knative Service target).
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}/{{ route }}",envoy_response_code!~"5.*"}[{{ interval }}])) \
            / sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}/{{ route }}",}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=~"{{ namespace }}/{{ route }}",}[{{ interval }}])) by (le))
            """)

    public var queries: BuiltinQueries { KnativeRouter.queries }

    public var splitsTraffic: Bool { true }

    func service(of canary: Canary) -> JSONValue? { services.get(namespace: canary.namespace, name: canary.targetName)?.json }

    public func routes(_ canary: Canary) -> Routes? { service(of: canary).flatMap(KnativeRouter.weights(in:)) }

    /// Nothing to create: the Knative Service is the user's, and the target names its primary revision.
    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {}

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        guard let service = service(of: canary) else {
            throw RouterError("Knative Service \(canary.namespace)/\(canary.targetName) not found")
        }
        let traffic = try KnativeRouter.traffic(of: service, routes)
        try await client.patchReadingVersion(canary.targetName, namespace: canary.namespace, patch: .merge(["spec": ["traffic": traffic]]))
    }

    /// Removes the primary-revision annotation, as Flagger does; `spec.traffic` stays as it was last set.
    public func finalize(_ canary: Canary) async throws {
        guard let service = service(of: canary), KnativeServing.primaryRevision(of: service) != nil else { return }
        let annotations: JSONValue = [.init(KnativeServing.primaryRevisionAnnotation): .null]
        try await client.patchReadingVersion(
            canary.targetName, namespace: canary.namespace, patch: .merge(["metadata": ["annotations": annotations]]))
    }

    /// Pending while Knative has not observed the Service's latest generation (its traffic not applied yet).
    public func readiness(_ canary: Canary) -> RoutingReadiness { service(of: canary).map(KnativeRouter.readiness(of:)) ?? .ready }

    /// Pending while `status.observedGeneration` is behind `metadata.generation`. Pure.
    public static func readiness(of service: JSONValue) -> RoutingReadiness {
        let generation = service[path: "metadata", "generation"]?.intValue ?? 0
        let observed = service[path: "status", "observedGeneration"]?.intValue ?? 0
        return observed >= generation ? .ready : .pending("Knative has observed generation \(observed) of \(generation)")
    }

    /// The `spec.traffic` that sends `routes` to the primary and the latest created revision: both named,
    /// the primary first, one entry when they are the same revision; then the user's tagged entries that carry
    /// no traffic (a `tag` for its URL only), kept. Pure.
    public static func traffic(of service: JSONValue, _ routes: Routes) throws(RouterError) -> JSONValue {
        let name = service[path: "metadata", "name"]?.stringValue ?? ""
        guard let primary = KnativeServing.primaryRevision(of: service) else {
            throw RouterError("Knative Service \(name) has no \(KnativeServing.primaryRevisionAnnotation) annotation")
        }
        guard let canary = KnativeServing.latestCreatedRevision(of: service) else {
            throw RouterError("Knative Service \(name) has no revision yet")
        }
        func entry(_ revision: String, _ percent: Int) -> JSONValue {
            ["revisionName": .string(revision), "percent": .int(percent), "latestRevision": false]
        }
        let tagged = (service[path: "spec", "traffic"]?.arrayValue ?? []).filter {
            !($0["tag"]?.stringValue ?? "").isEmpty && ($0["percent"]?.intValue ?? 0) == 0
        }
        if primary == canary { return .array([entry(primary, routes.primary + routes.canary)] + tagged) }
        return .array([entry(primary, routes.primary), entry(canary, routes.canary)] + tagged)
    }

    /// The live split: the primary's weight is what the entries naming the primary revision carry, the
    /// canary's the rest (traffic Knative sends to its latest revision is not the primary's). `nil` before
    /// the primary revision is named. Pure.
    public static func weights(in service: JSONValue) -> Routes? {
        guard let primary = KnativeServing.primaryRevision(of: service) else { return nil }
        let entries = service[path: "spec", "traffic"]?.arrayValue ?? []
        let pinned = entries.filter { $0["latestRevision"]?.boolValue != true && $0["revisionName"]?.stringValue == primary }
        let weight = pinned.reduce(0) { $0 + ($1["percent"]?.intValue ?? 0) }
        return Routes(primary: weight, canary: 100 - weight)
    }
}
