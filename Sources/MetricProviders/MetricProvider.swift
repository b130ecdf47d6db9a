import CanaryAPI
import OutboundHTTP

/// Answers one query with one number. One conforming type per provider type, one file each, registered in
/// ``MetricProviderRegistry``; the analysis engine calls only this protocol.
public protocol MetricProvider: Sendable {
    /// Runs a rendered query and returns its single value.
    func query(_ query: String) async throws(MetricError) -> Double

    /// Whether the provider answers at all (Flagger's `IsOnline`).
    func isOnline() async -> Bool
}

/// What a MetricTemplate (or the operator's `--metrics-server`) says about where and how to query.
public struct MetricProviderConfig: Sendable {
    public var address: String
    /// The decoded data of `provider.secretRef`, `nil` without one; each provider reads its own keys.
    public var secret: [String: String]?
    public var headers: [String: [String]]
    /// Outbound HTTP, with the operator's proxies.
    public var http: OutboundHTTP

    public init(address: String, secret: [String: String]? = nil, headers: [String: [String]] = [:], http: OutboundHTTP = OutboundHTTP()) {
        self.address = address
        self.secret = secret
        self.headers = headers
        self.http = http
    }
}
