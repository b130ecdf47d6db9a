import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

extension OutboundHTTP {
    /// Most connections open at once to one host (scheme, host and port). `HTTPClient.shared` allows 8, so
    /// eight stalled answers from one Prometheus made every other query to it wait for a free connection
    /// until its own deadline. Each connection is held at most for its request's deadline.
    public static let connectionsPerHost = 64

    /// The client of every direct request: its own pools (not `HTTPClient.shared`'s), one per host, with
    /// ``connectionsPerHost`` connections each. It lives as long as the process, as `HTTPClient.shared` does.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()

    /// The client of direct requests that asked not to verify the server's certificate (a MetricTemplate's
    /// `provider.insecureSkipVerify`): pools apart from ``client``'s, so no verified request ever reuses an
    /// unverified connection.
    static let unverifiedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()

    /// Runs `exchange`, or throws "timed out after <timeout>" once `timeout` has passed. At the deadline
    /// `exchange` is cancelled (AsyncHTTPClient then closes the connection, even in the middle of a body) and
    /// this returns as soon as it has ended.
    static func within<T: Sendable>(
        _ timeout: Duration, url: String,
        _ exchange: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let bounded = min(max(timeout, .zero), maximumTimeout)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await exchange() }
            group.addTask {
                try await Task.sleep(for: bounded)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw OutboundHTTPError(url: url, reason: OutboundHTTPError.timedOut + describe(bounded))
            }
            return value
        }
    }

    /// A duration as Go prints short ones: `5s`, `1.5s`, `250ms`.
    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        return "\(Double(milliseconds) / 1000)s"
    }
}

extension OutboundHTTPError {
    /// Whether the request ran out of time (see ``OutboundHTTP/send(_:_:headers:body:timeout:)``).
    public var isTimeout: Bool { reason.hasPrefix(OutboundHTTPError.timedOut) }
    static let timedOut = "timed out after "
}
