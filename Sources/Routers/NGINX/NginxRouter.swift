import CanaryAPI
import CanaryCore
import KubeClient
import KubeCore
import KubeRuntime

/// NGINX ingress routing for a Canary (`provider: nginx`), as Flagger does it: the user's Ingress
/// (`spec.ingressRef`) is left alone and Serin writes the canary Ingress `<ingress>-canary`, a copy of it whose
/// backend `<svc>` is `<svc>-canary`, which ingress-nginx merges into the user's as its canary. The split is
/// in the annotations: `canary: "true"` and `canary-weight`, or for A/B testing `canary-by-header`,
/// `canary-by-header-value`, `canary-by-header-pattern` and `canary-by-cookie`.
///
/// ## Guarantees
/// - Reconcile keeps the live split: only ``setRoutes(_:_:)`` changes the `canary-*` annotations.
/// - The canary Ingress follows the user's: its spec, labels and other annotations are the user's, and a
///   change to the user's Ingress reconciles the Canary at once (Flagger carries annotations over only at
///   creation, and spec changes at its next tick).
/// - Only `canary-weight` is parsed: an Ingress Serin did not write with a weight that is not a number reads
///   as no split yet, and the next reconcile writes `0`.
public struct NginxRouter: TrafficRouter {
    /// The canary Ingress.
    let canaryIngress: RoutingObject
    /// Every Ingress, the users' included.
    let cache: ObjectCache<DynamicObject>
    /// The prefix of ingress-nginx's annotations (`--ingress-annotations-prefix`).
    let prefix: String

    public static let resource = KubeResource(group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", namespaced: true)
    public static let defaultPrefix = "nginx.ingress.kubernetes.io"

    /// The `nginx` provider for ``RouterRegistry``: it reads every Ingress and owns the canary ones.
    public static let registration = RouterRegistration(
        provider: .nginx, resources: [WatchedResource(resource, owned: true)],
        references: [.init(resource) { canary in canary[path: "spec", "ingressRef", "name"]?.stringValue.map { [$0] } ?? [] }],
        validation: validation
    ) { client, caches, settings in
        NginxRouter(client: client, cache: caches[resource], prefix: settings.ingressAnnotationsPrefix)
    }

    public init(client: KubeClient, cache: ObjectCache<DynamicObject>, prefix: String = NginxRouter.defaultPrefix) {
        self.prefix = prefix
        self.cache = cache
        canaryIngress = RoutingObject(client: client, cache: cache, resource: NginxRouter.resource, name: NginxRouter.canaryIngressName)
    }

    public var queries: BuiltinQueries { NginxRouter.queries }

    public var splitsTraffic: Bool { true }

    /// Flagger's NGINX queries over ingress-nginx's own metrics, the canary's requests being those with a
    /// `canary` label; the duration is the mean (ingress-nginx's sum over count), in milliseconds.
    public static let queries = BuiltinQueries(
        successRate: """
            sum(rate(nginx_ingress_controller_requests{namespace="{{ namespace }}",ingress="{{ ingress }}",canary!="",status!~"5.*"}[{{ interval }}])) \
            / sum(rate(nginx_ingress_controller_requests{namespace="{{ namespace }}",ingress="{{ ingress }}",canary!=""}[{{ interval }}])) * 100
            """,
        requestDuration: """
            sum(rate(nginx_ingress_controller_response_duration_seconds_sum{namespace="{{ namespace }}",ingress="{{ ingress }}",canary!=""}[{{ interval }}])) \
            / sum(rate(nginx_ingress_controller_response_duration_seconds_count{namespace="{{ namespace }}",ingress="{{ ingress }}",canary!=""}[{{ interval }}])) * 1000
            """,
        requestCount: """
            sum(increase(nginx_ingress_controller_requests{namespace="{{ namespace }}",ingress="{{ ingress }}",canary!=""}[{{ interval }}]))
            """)

    @Sendable static func canaryIngressName(_ canary: Canary) -> String { "\(canary.spec.ingressRef?.name ?? canary.targetName)-canary" }

    public func routes(_ canary: Canary) -> Routes? {
        canaryIngress.live(canary).flatMap { NginxRouter.weights(in: $0, canary: canary, prefix: prefix) }
    }

    public func reconcile(_ canary: Canary, owner: OwnerReference) async throws {
        let name = canary.spec.ingressRef?.name ?? ""
        guard let user = cache.get(namespace: canary.namespace, name: name)?.json else {
            throw RouterError("ingress \(name).\(canary.namespace) not found (spec.ingressRef)", terminal: true)
        }
        guard NginxRouter.sendsToApex(user, canary: canary) else {
            throw RouterError("backend \(canary.serviceName) not found in ingress \(name).\(canary.namespace)", terminal: true)
        }
        try await canaryIngress.apply(canary, owner: owner) { NginxRouter.desiredCanaryIngress(canary, user: user, live: $0, prefix: prefix) }
    }

    public func setRoutes(_ canary: Canary, _ routes: Routes) async throws {
        let annotations = canaryIngress.live(canary)?[path: "metadata", "annotations"]?.objectValue ?? [:]
        var patch = JSONObject()
        for (key, value) in NginxRouter.splitAnnotations(canary, routes, prefix: prefix)
        where annotations[key] != value && !(value == .null && annotations[key] == nil) {
            patch[key] = value
        }
        guard !patch.isEmpty else { return }  // a canary Ingress not observed yet has no annotations: the patch says it is not found
        try await canaryIngress.patch(canary, ["metadata": ["annotations": .object(patch)]])
    }

    public func finalize(_ canary: Canary) async throws { try await canaryIngress.restore(canary) }
}
