import AsyncHTTPClient
import Foundation
import KubeCore
import CoreMetrics
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// A Kubernetes API client over HTTP(S).
///
/// One client serves every resource: ``resource(_:as:)`` gives a ``ResourceClient`` for any
/// ``KubeResource``. Every request is rate-limited (``ClientConfiguration/qps``), authenticated (refreshing
/// token files and exec credentials, and retrying once after a 401), retried after `429 Too Many Requests`
/// as the server's `Retry-After` says, and fails with a typed error: ``KubeAPIError`` for an API `Status`,
/// ``KubeClientError`` when no answer could be had.
///
/// Call ``shutdown()`` when done.
public final class KubeClient: Sendable {
    /// How many times a request is retried after `429` (or a `5xx` carrying `Retry-After`).
    public static let maximumRetries = 5
    /// The longest `Retry-After` wait honoured.
    public static let maximumRetryAfter: Duration = .seconds(30)

    public let configuration: ClientConfiguration
    let transport: any KubeTransport
    let credentials: CredentialProvider
    let rateLimiter: RateLimiter<ContinuousClock>
    let baseURL: String
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    let requestMetrics: RequestMetrics
    private let writeObservers = Mutex<[any WriteObserver]>([])

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - sleep: how the client waits for `Retry-After` (injected by tests).
    ///   - metricsFactory: where `serin_kube_requests_total` and `serin_kube_request_duration_seconds` go.
    ///   - transport: what carries the requests; `nil` is HTTP(S) to `configuration.server`.
    public init(
        configuration: ClientConfiguration, logger: Logger = Logger(label: "serin.kube-client"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        metricsFactory: any MetricsFactory = MetricsSystem.factory, transport: (any KubeTransport)? = nil
    ) {
        self.configuration = configuration
        self.requestMetrics = RequestMetrics(factory: metricsFactory)
        self.logger = logger
        self.sleep = sleep
        self.credentials = CredentialProvider(authentication: configuration.authentication)
        self.rateLimiter = RateLimiter(qps: configuration.qps, burst: configuration.burst, clock: ContinuousClock())
        let (base, dnsOverride) = KubeClient.baseURL(configuration)
        self.baseURL = base
        if let transport {
            self.transport = transport
            return
        }
        let tls = KubeClient.tlsConfiguration(configuration.tls)
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: .nanoseconds(configuration.connectTimeout.clampedNanoseconds), read: nil),
            decompression: .disabled)
        http.dnsOverride = dnsOverride
        http.tracing.tracer = nil  // no span per API request: computing its attributes cost 2% of a rollout's CPU
        http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256  // each watch holds one connection
        if let proxy = configuration.proxy, let host = proxy.host {
            http.proxy = .server(host: host, port: proxy.port ?? 80)
        }
        let fallback = HTTPTransport(client: HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http))
        guard configuration.proxy == nil,
            let endpoint = HTTP1Endpoint(baseURL: base, dnsOverride: dnsOverride, tls: tls, connectTimeout: configuration.connectTimeout),
            let pooled = PooledHTTPTransport(
                endpoint: endpoint, group: HTTPClient.defaultEventLoopGroup, maximumBodySize: KubeClient.maximumBodySize,
                idleTimeout: configuration.idleConnectionTimeout, fallback: fallback)
        else {
            self.transport = fallback
            return
        }
        self.transport = pooled
    }

    /// Creates a client from the configuration ``ClientConfiguration/infer(explicitKubeconfig:context:environment:)`` finds.
    public convenience init(
        kubeconfig: String? = nil, context: String? = nil, logger: Logger = Logger(label: "serin.kube-client")
    )
        throws(KubeconfigError)
    {
        self.init(configuration: try .infer(explicitKubeconfig: kubeconfig, context: context), logger: logger)
    }

    /// Closes every connection. The client cannot be used afterwards.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// Tells `observer` of every object this client writes from now on (``WriteObserver``).
    public func observeWrites(_ observer: any WriteObserver) {
        writeObservers.withLock { $0.append(observer) }
    }

    /// Passes a write's answer to the observers.
    func observed(_ write: ObjectWrite) {
        for observer in writeObservers.withLock({ $0 }) { observer.didWrite(write) }
    }

    func observed(write answer: JSONValue, of resource: KubeResource) {
        let observers = writeObservers.withLock { $0 }
        guard !observers.isEmpty, let name = answer[path: "metadata", "name"]?.stringValue,
            let version = answer[path: "metadata", "resourceVersion"]?.stringValue
        else { return }
        let write = ObjectWrite(
            resource: resource, namespace: answer[path: "metadata", "namespace"]?.stringValue, name: name,
            resourceVersion: version)
        for observer in observers { observer.didWrite(write) }
    }

    /// A client for one kind of resource, decoding objects as `Object`.
    public func resource<Object: Codable & Sendable>(
        _ resource: KubeResource, as type: Object.Type = DynamicObject.self
    )
        -> ResourceClient<Object>
    {
        ResourceClient(client: self, resource: resource)
    }

    /// The URL requests go to, and the DNS override that makes `tls-server-name` the verified name.
    private static func baseURL(_ configuration: ClientConfiguration) -> (String, [String: String]) {
        var components = URLComponents(url: configuration.server, resolvingAgainstBaseURL: false)!
        var dnsOverride: [String: String] = [:]
        if let serverName = configuration.tls.serverName, let host = components.host, serverName != host {
            dnsOverride[serverName] = host
            components.host = serverName
        }
        var text = components.string ?? configuration.server.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return (text, dnsOverride)
    }

    private static func tlsConfiguration(_ settings: TLSSettings) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let roots = settings.trustRoots { tls.trustRoots = .certificates(roots) }
        if settings.insecureSkipVerify { tls.certificateVerification = .none }
        if let key = settings.clientKey, !settings.clientCertificateChain.isEmpty {
            tls.certificateChain = settings.clientCertificateChain.map { .certificate($0) }
            tls.privateKey = .privateKey(key)
        }
        return tls
    }
}
