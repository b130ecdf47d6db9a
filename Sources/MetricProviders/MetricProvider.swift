import CanaryAPI
import Foundation
import KubeCore
import OutboundHTTP

/// Answers one query with one number. One conforming type per provider type, each in its own folder,
/// registered in ``MetricProviderRegistry``; the analysis engine calls only this protocol.
public protocol MetricProvider: Sendable {
    /// Runs a rendered query and returns its single value.
    func query(_ query: String) async throws(MetricError) -> Double

    /// Whether the provider answers at all (Flagger's `IsOnline`).
    func isOnline() async -> Bool

    /// Runs a rendered query: its value and, where the provider has one, what explains it (a Job's failure
    /// reason). By default ``query(_:)`` without an explanation.
    func reading(_ query: String) async throws(MetricError) -> MetricReading

    /// Runs a rendered query as a series (compared metrics): one value per `resolution` over the `window` that
    /// ends at the provider's clock. Only providers registered with ``MetricProviderRegistration/series`` have it.
    func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double]
}

extension MetricProvider {
    public func reading(_ query: String) async throws(MetricError) -> MetricReading {
        MetricReading(value: try await self.query(query))
    }

    public func series(_ query: String, window: Duration, resolution: Duration) async throws(MetricError) -> [Double] {
        throw MetricError.configuration("the provider has no series API: a compared metric needs one")
    }
}

/// One check's value, and why it is what it is when the provider can say (shown with a failed check).
public struct MetricReading: Sendable, Equatable {
    public var value: Double
    public var explanation: String?

    public init(value: Double, explanation: String? = nil) {
        self.value = value
        self.explanation = explanation
    }
}

/// Whose check a query is: providers that create objects for it (`job`) put them in the Canary's namespace,
/// named and labelled after it, and owned by it.
public struct CheckSubject: Sendable, Equatable {
    public var namespace: String
    public var canary: String
    public var uid: String?
    public var metric: String

    public init(namespace: String, canary: String, uid: String?, metric: String) {
        self.namespace = namespace
        self.canary = canary
        self.uid = uid
        self.metric = metric
    }
}

/// What a MetricTemplate (or the operator's `--metrics-server`) says about where and how to query.
public struct MetricProviderConfig: Sendable {
    /// `provider.address`, or what the provider's ``AddressPolicy`` chose without one.
    public var address: String
    /// The decoded data of `provider.secretRef`, `nil` without one; each provider reads its own keys.
    public var secret: [String: String]?
    public var headers: [String: [String]]
    /// Outbound HTTP, with the operator's proxies; `verifiesCertificates` is off for `insecureSkipVerify`.
    public var http: OutboundHTTP
    /// The metric's `interval` (Go duration): providers that query a window (Datadog, New Relic, Dynatrace,
    /// CloudWatch, Splunk) size it from this, as Flagger does.
    public var interval: String
    /// `provider.region` (CloudWatch).
    public var region: String?
    /// The operator's clock: where a query window ends, and how long a rate-limited provider is waited for.
    public var clock: OperatorClock
    /// The operator's environment: cloud credentials found as the vendors' SDKs find them (CloudWatch's
    /// `AWS_*`), and their endpoint overrides.
    public var environment: [String: String]
    /// The operator's own access to its cluster, for providers the cluster serves (External Metrics).
    public var cluster: ClusterAccess?
    /// The Canary and metric the check is for.
    public var subject: CheckSubject?

    public init(
        address: String, secret: [String: String]? = nil, headers: [String: [String]] = [:], http: OutboundHTTP = OutboundHTTP(),
        interval: String = CanaryDefaults.metricInterval, region: String? = nil, clock: OperatorClock = .system,
        environment: [String: String] = ProcessInfo.processInfo.environment, cluster: ClusterAccess? = nil,
        subject: CheckSubject? = nil
    ) {
        self.subject = subject
        self.address = address
        self.secret = secret
        self.headers = headers
        self.http = http
        self.interval = interval
        self.region = region
        self.clock = clock
        self.environment = environment
        self.cluster = cluster
    }

    /// The secret's value of `key`, or "<provider> credentials does not contain <key>" (Flagger's text).
    public func credential(_ key: String, of provider: MetricProviderType) throws(MetricError) -> String {
        guard let value = secret?[key], !value.isEmpty else {
            throw MetricError.configuration("\(provider) credentials does not contain \(key)")
        }
        return value
    }

    /// The metric's interval, or "error parsing metric interval: …".
    public func parsedInterval() throws(MetricError) -> Duration {
        do { return try GoDuration(parsing: interval).duration } catch {
            throw MetricError.configuration("error parsing metric interval: \(error)")
        }
    }
}

/// The operator's own access to the Kubernetes API (its service account), for metrics the cluster serves.
public struct ClusterAccess: Sendable {
    /// An error the API server answered, or the reason it could not be reached.
    public struct Failure: Error, Sendable {
        /// The HTTP status, when the API server answered.
        public var status: Int?
        public var message: String
        public init(status: Int?, message: String) {
            self.status = status
            self.message = message
        }
    }

    /// Lists `resource` in `namespace` with an optional label selector, returning the list's `items`.
    public var list: @Sendable (_ resource: KubeResource, _ namespace: String, _ labelSelector: String?) async throws(Failure) -> [JSONValue]
    /// Reads one object.
    public var get: @Sendable (_ resource: KubeResource, _ namespace: String, _ name: String) async throws(Failure) -> JSONValue
    /// Creates an object, returning it as stored.
    public var create: @Sendable (_ resource: KubeResource, _ namespace: String, _ object: JSONValue) async throws(Failure) -> JSONValue
    /// Deletes one object.
    public var delete: @Sendable (_ resource: KubeResource, _ namespace: String, _ name: String) async throws(Failure) -> Void
    /// The versions of one object after `resourceVersion`, as a watch sends them; the stream ends when the object
    /// is deleted or the watch closes.
    public var watch:
        @Sendable (_ resource: KubeResource, _ namespace: String, _ name: String, _ resourceVersion: String?) async throws(Failure) ->
            AsyncThrowingStream<JSONValue, any Error>

    public init(
        list: @escaping @Sendable (KubeResource, String, String?) async throws(Failure) -> [JSONValue],
        get: @escaping @Sendable (KubeResource, String, String) async throws(Failure) -> JSONValue = { _, _, _ throws(Failure) in
            throw Failure(status: nil, message: "not available")
        },
        create: @escaping @Sendable (KubeResource, String, JSONValue) async throws(Failure) -> JSONValue = { _, _, _ throws(Failure) in
            throw Failure(status: nil, message: "not available")
        },
        delete: @escaping @Sendable (KubeResource, String, String) async throws(Failure) -> Void = { _, _, _ throws(Failure) in
            throw Failure(status: nil, message: "not available")
        },
        watch: @escaping @Sendable (KubeResource, String, String, String?) async throws(Failure) -> AsyncThrowingStream<JSONValue, any Error> = {
            _, _, _, _ throws(Failure) in throw Failure(status: nil, message: "not available")
        }
    ) {
        self.list = list
        self.get = get
        self.create = create
        self.delete = delete
        self.watch = watch
    }
}

/// Where a provider's queries go when its template has no `provider.address`.
public enum AddressPolicy: Sendable, Equatable {
    /// The Canary's `spec.metricsServer`, else the operator's `--metrics-server` (Prometheus).
    case metricsServer
    /// The vendor's public API (Datadog's, New Relic's).
    case vendorDefault(String)
    /// None: the template must name one.
    case required
    /// The provider does not use an address (CloudWatch's comes from its region).
    case unused
}
