import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// SMI routing for a Canary, as Flagger does it for `provider: linkerd`, `osm` and `smi:v1alpha1`,
/// `smi:v1alpha2`, `smi:v1alpha3`: the SMI TrafficSplit `<svc>` of the provider's API version (``Version``),
/// which the mesh (linkerd-smi, Open Service Mesh, any SMI implementation) turns into the split of the Service
/// `service.hosts[0]` (else the apex `<svc>`) between the `<svc>-canary` and `<svc>-primary` backends by
/// weight. The providers differ in that version and in their telemetry (``queries``).
///
/// ## Guarantees
/// - Reconcile keeps the live weights: only ``setRoutes(_:_:)`` moves traffic.
/// - Serin owns `spec.service` and `spec.backends`; other members of the TrafficSplit survive.
/// - Weights are read as integers or integer strings (v1alpha1's quantities), written as the version has
///   them: v1alpha1's quantities as strings (`"50"`, as Go's `resource.Quantity` marshals), integers after.
public struct SMIRouter: TrafficRouter {
    let split: RoutingObject
    let version: Version
    public let queries: BuiltinQueries

    /// The TrafficSplit API versions Flagger writes.
    public enum Version: String, Sendable, CaseIterable {
        /// Weights as Kubernetes quantities (Flagger's `linkerd` and `smi:v1alpha1`).
        case v1alpha1
        /// Integer weights (Flagger's `osm` and `smi:v1alpha2`).
        case v1alpha2
        /// Integer weights, optional HTTPRouteGroup `matches` Flagger never writes (`smi:v1alpha3`).
        case v1alpha3

        /// The TrafficSplit resource of this version.
        public var resource: KubeResource {
            KubeResource(group: "split.smi-spec.io", version: rawValue, kind: "TrafficSplit", plural: "trafficsplits", namespaced: true)
        }

        /// A weight as this version writes it.
        func weight(_ value: Int) -> JSONValue { self == .v1alpha1 ? .string(String(value)) : .int(value) }
    }

    /// A provider for ``RouterRegistry``: the TrafficSplits of `version` it owns, judged by `queries`.
    public static func registration(_ provider: MeshProvider, version: Version, queries: BuiltinQueries) -> RouterRegistration {
        RouterRegistration(
            provider: provider, resources: [WatchedResource(version.resource, crd: "trafficsplits.split.smi-spec.io", owned: true)],
            validation: validation(provider)
        ) { client, caches, _ in
            SMIRouter(client: client, cache: caches[version.resource], version: version, queries: queries)
        }
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>, version: Version, queries: BuiltinQueries) {
        split = RoutingObject(client: client, cache: cache, resource: version.resource)
        self.version = version
        self.queries = queries
    }

    /// Flagger's Linkerd queries over the proxies' inbound `response_total` and `response_latency_ms` (ms).
    public static let linkerdQueries = BuiltinQueries(
        successRate: """
            sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",classification!="failure",direction="inbound"}[{{ interval }}])) \
            / sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="inbound"}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="inbound"}[{{ interval }}])) by (le))
            """,
        requestCount: """
            sum(increase(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="inbound"}[{{ interval }}]))
            """)

    /// Flagger's Open Service Mesh queries over `osm_request_total` and `osm_request_duration_ms` (ms) of the target Deployment.
    public static let osmQueries = BuiltinQueries(
        successRate: """
            sum(rate(osm_request_total{destination_namespace="{{ namespace }}",destination_kind="Deployment",destination_name="{{ target }}",response_code!~"5.*"}[{{ interval }}])) \
            / sum(rate(osm_request_total{destination_namespace="{{ namespace }}",destination_kind="Deployment",destination_name="{{ target }}"}[{{ interval }}])) * 100
            """,
        requestDuration: """
            histogram_quantile(0.99, sum(rate(osm_request_duration_ms_bucket{destination_namespace="{{ namespace }}",destination_kind="Deployment",destination_name="{{ target }}"}[{{ interval }}])) by (le))
            """,
        requestCount: """
            sum(increase(osm_request_total{destination_namespace="{{ namespace }}",destination_kind="Deployment",destination_name="{{ target }}"}[{{ interval }}]))
            """)

    public var splitsTraffic: Bool { true }

    public func routes(_ canary: Canary) -> Routes? { split.live(canary).flatMap { SMIRouter.weights(in: $0, canary: canary) } }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        try await split.apply(canary, owner: owner) { SMIRouter.desiredTrafficSplit(canary, version: version, live: $0) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        try await split.patch(canary, ["spec": ["backends": SMIRouter.backends(canary, routes, version: version)]])
    }

    public func finalize(_ canary: Canary) async throws { try await split.restore(canary) }

    /// The TrafficSplit `<svc>` of `version` Serin wants, from the live one (`nil`: none yet), keeping the live
    /// weights. Pure.
    public static func desiredTrafficSplit(_ canary: Canary, version: Version, live: JSONValue?) -> JSONValue {
        let routes = live.flatMap { weights(in: $0, canary: canary) } ?? .allPrimary
        var split = live ?? ["apiVersion": .string(version.resource.apiVersion), "kind": "TrafficSplit"]
        split[path: "spec", "service"] = .string(canary.spec.service?.hosts?.first ?? canary.serviceName)
        split[path: "spec", "backends"] = backends(canary, routes, version: version)
        return split
    }

    /// Flagger's order: the canary, then the primary.
    static func backends(_ canary: Canary, _ routes: Routes, version: Version) -> JSONValue {
        [
            ["service": .string("\(canary.serviceName)-canary"), "weight": version.weight(routes.canary)],
            ["service": .string("\(canary.serviceName)-primary"), "weight": version.weight(routes.primary)],
        ]
    }

    /// The backends' weights; `nil` when neither of Serin's is there or a weight is not a whole number.
    static func weights(in split: JSONValue, canary: Canary) -> Routes? {
        var routes = Routes(primary: 0, canary: 0), found = false
        for backend in split[path: "spec", "backends"]?.arrayValue ?? [] {
            let value = backend["weight"]
            guard let weight = value?.intValue ?? value?.stringValue.flatMap({ Int($0) }) else { return nil }
            switch backend["service"]?.stringValue {
            case "\(canary.serviceName)-primary"?: routes.primary = weight; found = true
            case "\(canary.serviceName)-canary"?: routes.canary = weight; found = true
            default: continue
            }
        }
        return found ? routes : nil
    }
}
