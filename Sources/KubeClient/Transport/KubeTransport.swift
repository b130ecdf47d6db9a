import AsyncHTTPClient
import KubeCore
import Logging
import NIOCore
import NIOHTTP1

/// One request to the API server, as the transport sends it: authenticated, rate-limited and fenced
/// already.
public struct TransportRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var timeout: Duration
    /// The answer's body is read as it streams (a watch), not collected: it may never end.
    public var streamsBody = false
}

/// What carries a ``KubeClient``'s requests: HTTP(S) to the API server normally, or an in-process API
/// server in tests (`KubeSandbox.InMemoryCluster`), so the client, the runtime and the controllers run
/// unchanged without a socket.
public protocol KubeTransport: Sendable {
    /// Sends one request; returns once the response head arrives (the body may stream, as a watch's does).
    func execute(_ request: TransportRequest, logger: Logger) async throws -> HTTPClientResponse

    /// Releases connections; the transport cannot be used afterwards.
    func shutdown() async throws
}

/// The real transport: AsyncHTTPClient with the client's TLS, proxy and connection settings.
struct HTTPTransport: KubeTransport {
    let client: HTTPClient

    func execute(_ request: TransportRequest, logger: Logger) async throws -> HTTPClientResponse {
        var http = HTTPClientRequest(url: request.url)
        http.method = request.method
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if let body = request.body { http.body = .bytes(body) }
        return try await client.execute(http, timeout: .nanoseconds(request.timeout.clampedNanoseconds), logger: logger)
    }

    func shutdown() async throws { try await client.shutdown() }
}
