import CanaryAPI

/// How to build one provider type's client.
public struct MetricProviderRegistration: Sendable {
    public var type: MetricProviderType
    public var make: @Sendable (MetricProviderConfig) throws(MetricError) -> any MetricProvider

    public init(type: MetricProviderType, make: @escaping @Sendable (MetricProviderConfig) throws(MetricError) -> any MetricProvider) {
        self.type = type
        self.make = make
    }
}

/// The metric providers Serin queries. Adding one is a file with a ``MetricProvider`` and its
/// registration here.
public enum MetricProviderRegistry {
    public static let registrations: [MetricProviderRegistration] = [PrometheusProvider.registration]

    public static var implemented: Set<MetricProviderType> { Set(registrations.map(\.type)) }

    /// A client for `type`; throws ``MetricError/configuration(_:)`` for a type Serin cannot query yet or
    /// a configuration the provider refuses.
    public static func make(_ type: MetricProviderType, _ config: MetricProviderConfig) throws(MetricError) -> any MetricProvider {
        guard let registration = registrations.first(where: { $0.type == type }) else {
            let supported = registrations.map(\.type.rawValue).sorted().joined(separator: ", ")
            throw MetricError.configuration("provider not supported yet (supported: \(supported))")
        }
        return try registration.make(config)
    }
}
