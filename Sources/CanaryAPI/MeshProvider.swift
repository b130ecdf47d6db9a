/// The mesh or ingress that routes a Canary's traffic: `spec.provider`, else the operator's `--mesh-provider`.
///
/// Every value of Flagger's CRD enum is known, so a Flagger manifest always parses; which of them this
/// operator can route is the router registry's answer (``Routers/RouterRegistry``), never a silent fallback
/// (Flagger routes an unknown provider as Istio).
public enum MeshProvider: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case apisix, appmesh, appmeshV1beta2 = "appmesh:v1beta2", contour, gatewayAPIV1 = "gatewayapi:v1"
    case gatewayAPIV1beta1 = "gatewayapi:v1beta1", gloo, istio, knative, kubernetes, kuma, linkerd, nginx, osm, skipper
    case smiV1alpha1 = "smi:v1alpha1", smiV1alpha2 = "smi:v1alpha2", smiV1alpha3 = "smi:v1alpha3", traefik

    /// Flagger's default `-mesh-provider`.
    public static let `default` = MeshProvider.istio

    /// Parses a provider name as Flagger spells it.
    public init(parsing text: String) throws(UnknownValueError) {
        guard let provider = MeshProvider(rawValue: text) else {
            throw UnknownValueError(value: text, known: MeshProvider.allCases.map(\.rawValue))
        }
        self = provider
    }

    public var description: String { rawValue }
}

/// A name that is not one of a closed set's values.
public struct UnknownValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var value: String
    public var known: [String]
    public var description: String { "\"\(value)\" is not a known value (known: \(known.joined(separator: ", ")))" }
}

extension Canary {
    /// The provider routing this Canary: `spec.provider`, else the operator's default. An unknown name is
    /// a validation issue (``validate(_:)``).
    public func meshProvider(default fallback: MeshProvider) -> MeshProvider? {
        guard let name = spec.provider, !name.isEmpty else { return fallback }
        return MeshProvider(rawValue: name)
    }
}
