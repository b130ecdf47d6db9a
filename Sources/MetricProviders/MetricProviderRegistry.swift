import CanaryAPI

/// How to build one provider type's client.
public struct MetricProviderRegistration: Sendable {
    public var type: MetricProviderType
    /// Where its queries go without `provider.address`.
    public var address: AddressPolicy
    /// Whether the query is a document whose layout matters (`job`'s YAML): rendered without collapsing whitespace.
    public var queryIsDocument: Bool
    /// Whether it answers a query as a series (``MetricProvider/series(_:window:resolution:)``): a compared metric needs it.
    public var series: Bool
    public var make: @Sendable (MetricProviderConfig) throws(MetricError) -> any MetricProvider

    public init(
        type: MetricProviderType, address: AddressPolicy, queryIsDocument: Bool = false, series: Bool = false,
        make: @escaping @Sendable (MetricProviderConfig) throws(MetricError) -> any MetricProvider
    ) {
        self.type = type
        self.address = address
        self.queryIsDocument = queryIsDocument
        self.series = series
        self.make = make
    }
}

/// The metric providers Serin queries. Adding one is a folder with a ``MetricProvider`` and its
/// registration here.
public enum MetricProviderRegistry {
    public static let registrations: [MetricProviderRegistration] = [
        PrometheusProvider.registration, DatadogProvider.registration, NewRelicProvider.registration,
        DynatraceProvider.registration, GraphiteProvider.registration, InfluxDBProvider.registration, CloudWatchProvider.registration,
        StackdriverProvider.registration, ExternalMetricsProvider.registration, KeptnProvider.registration,
        WebProvider.registration, JobProvider.registration, SplunkProvider.registration,
    ]

    public static var implemented: Set<MetricProviderType> { Set(registrations.map(\.type)) }

    /// The registration of `type`, `nil` for a type Serin cannot query yet.
    public static func registration(of type: MetricProviderType) -> MetricProviderRegistration? {
        registrations.first { $0.type == type }
    }

    /// A client for `type`; throws ``MetricError/configuration(_:)`` for a type Serin cannot query yet or
    /// a configuration the provider refuses.
    public static func make(_ type: MetricProviderType, _ config: MetricProviderConfig) throws(MetricError) -> any MetricProvider {
        guard let registration = registration(of: type) else {
            let supported = registrations.map(\.type.rawValue).sorted().joined(separator: ", ")
            throw MetricError.configuration("provider not supported yet (supported: \(supported))")
        }
        return try registration.make(config)
    }
}
