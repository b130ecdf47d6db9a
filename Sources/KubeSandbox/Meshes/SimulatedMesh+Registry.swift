import Foundation

extension SimulatedMesh {
    /// Every simulated mesh, in the order a request is routed: a sidecar's routes before kube-proxy, then a
    /// host no Service answers by the first gateway or ingress whose routes name it.
    public static let all: [SimulatedMesh] = [
        istio, keda, gatewayAPI, smi, kuma, knative, contour, traefik, apisix, gloo, skipper, ingressNGINX,
    ]

    /// What a sandbox installs unless told otherwise: all but Gloo (Gloo Edge's VirtualService has Istio's kind
    /// and short name, so `kubectl get virtualservice` would have two meanings).
    public static var defaults: [SimulatedMesh] { all.filter { $0.name != gloo.name } }

    /// The simulated mesh called `name`, if there is one.
    public static func named(_ name: String) -> SimulatedMesh? { all.first { $0.name == name } }
}

extension [SimulatedMesh] {
    /// These meshes without the ones called `names`.
    public func removing(_ names: String...) -> [SimulatedMesh] { filter { !names.contains($0.name) } }
}
