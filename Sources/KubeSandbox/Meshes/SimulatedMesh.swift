import Foundation
import KubeCore

/// One simulated mesh, gateway, ingress controller or add-on: what installing it puts in the cluster (its
/// CRDs and namespaces) and how its proxies route requests and synthetic traffic.
///
/// Each lives in a folder of its own under `Meshes/` and is listed once, in ``SimulatedMesh/all``. A sandbox
/// installs ``Sandbox/Options/meshes`` (``SimulatedMesh/defaults`` unless changed); a new router's simulation
/// is a new folder and a line there.
public struct SimulatedMesh: Sendable, CustomStringConvertible {
    /// A request as a mesh sees it when it picks a route.
    struct Lookup: Sendable {
        /// The Service and namespace the host names (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`).
        var name: String
        var namespace: String
        /// The host the request was sent to.
        var host: String
        var request: RequestAttributes
        /// The `Host` header, else the host the request was sent to.
        var requestHost: String { request.host ?? host }
    }

    typealias Routes = @Sendable (ServiceResolver, Lookup) async -> ServiceResolver.Routing?

    /// The name options and the command line use (`istio`, `gloo`, …).
    public let name: String
    /// The CRDs installing it creates.
    public let customResources: [JSONValue]
    /// The namespaces installing it creates (`istio-system`).
    public let namespaces: [String]
    /// A sidecar's view: the route of a request to a Service, before kube-proxy would answer it.
    let routesServices: Routes?
    /// A gateway's or ingress controller's view: the route of a host no Service answers.
    let routesHosts: Routes?
    /// The routings synthetic traffic goes through, one per routing object.
    let syntheticRoutings: (@Sendable (ServiceResolver) async -> [ServiceResolver.Routing])?

    init(
        name: String, customResources: [JSONValue] = [], namespaces: [String] = [], routesServices: Routes? = nil, routesHosts: Routes? = nil,
        syntheticRoutings: (@Sendable (ServiceResolver) async -> [ServiceResolver.Routing])? = nil
    ) {
        self.name = name
        self.customResources = customResources
        self.namespaces = namespaces
        self.routesServices = routesServices
        self.routesHosts = routesHosts
        self.syntheticRoutings = syntheticRoutings
    }

    public var description: String { name }
}
