import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Outbound HTTP for metric providers and webhooks, honouring ``ProxySettings`` as Go programs do:
/// `https://` through a proxy is tunnelled with `CONNECT`; `http://` through a proxy is sent to the proxy in
/// absolute form (`GET http://host:port/path HTTP/1.1`), which is what forward proxies — and the sandbox's
/// cluster-name proxy — expect.
public struct OutboundHTTP: Sendable {
    /// A response: status code, headers and the whole body.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        /// The response's header fields, in order (names as sent).
        public var headers: [(name: String, value: String)] = []
        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The values of the header `name` (case-insensitive), in order.
        public func headers(named name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    public var proxies: ProxySettings
    /// The largest body read into memory.
    public var maximumBodySize = 16 << 20
    /// Whether `https://` servers must present a certificate the system trusts; `false` only where a user
    /// asked for it (`provider.insecureSkipVerify`).
    public var verifiesCertificates = true

    public init(proxies: ProxySettings = .fromEnvironment()) { self.proxies = proxies }

    /// Sends a request and reads the whole response, or fails with ``OutboundHTTPError`` ("timed out after
    /// <timeout>") once `timeout` has passed: one deadline for the wait for a connection, connecting, the
    /// headers and the whole body. At the deadline the request is cancelled and its connection closed, so a
    /// peer that stalls or trickles its answer holds no connection beyond it.
    public func send(
        _ method: HTTPMethod, _ urlText: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration
    ) async throws(OutboundHTTPError) -> Response {
        guard let url = URL(string: urlText), let host = url.host, ["http", "https"].contains(url.scheme ?? "") else {
            throw OutboundHTTPError(url: urlText, reason: "not an http(s) URL")
        }
        if let port = url.port, !(1...65535).contains(port) {
            throw OutboundHTTPError(url: urlText, reason: "port \(port) is out of range (1-65535)")
        }
        let proxy = proxies.proxy(for: url)
        if let port = proxy?.port, !(1...65535).contains(port) {
            throw OutboundHTTPError(url: urlText, reason: "the proxy's port \(port) is out of range (1-65535)")
        }
        do {
            return try await OutboundHTTP.within(timeout, url: urlText) { [self] in
                if let proxy, url.scheme == "http" {
                    return try await viaForwardProxy(method, url: url, host: host, proxy: proxy, headers: headers, body: body, timeout: timeout)
                }
                return try await direct(method, url: urlText, proxy: proxy, headers: headers, body: body, timeout: timeout)
            }
        } catch let error as OutboundHTTPError {
            throw error
        } catch {
            throw OutboundHTTPError(url: urlText, reason: "\(error)")
        }
    }

    private func direct(
        _ method: HTTPMethod, url: String, proxy: URL?, headers: [(String, String)], body: [UInt8]?,
        timeout: Duration
    ) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        // AsyncHTTPClient's own deadline ends at the response head; ``within(_:url:_:)`` is the real one and
        // fires first, this is only a backstop.
        let backstop = NIODeadline.now() + OutboundHTTP.timeAmount(timeout) + .seconds(1)
        guard let proxy, let proxyHost = proxy.host else {
            let client = verifiesCertificates ? OutboundHTTP.client : OutboundHTTP.unverifiedClient
            return try await OutboundHTTP.read(try await client.execute(request, deadline: backstop), limit: maximumBodySize)
        }
        // HTTPS through a proxy: a CONNECT tunnel, as AsyncHTTPClient does it.
        var configuration = HTTPClient.Configuration(proxy: .server(host: proxyHost, port: proxy.port ?? 80))
        if !verifiesCertificates {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tlsConfiguration = tls
        }
        let client = HTTPClient(configuration: configuration)
        defer { _ = client.shutdown() }
        return try await OutboundHTTP.read(try await client.execute(request, deadline: backstop), limit: maximumBodySize)
    }

    /// The response's status, headers and body (at most `limit` bytes).
    private static func read(_ response: HTTPClientResponse, limit: Int) async throws -> Response {
        Response(
            status: Int(response.status.code), body: Array(buffer: try await response.body.collect(upTo: limit)),
            headers: response.headers.map { ($0.name, $0.value) })
    }
}

extension OutboundHTTP {
    /// The longest a request may take, whatever it asked for: a deadline further out would overflow NIO's clock.
    public static let maximumTimeout: Duration = .seconds(24 * 3600)

    /// `timeout` as NIO's time amount, between zero and ``maximumTimeout``; never traps.
    static func timeAmount(_ timeout: Duration) -> TimeAmount {
        let bounded = min(max(timeout, .zero), maximumTimeout)
        let (seconds, attoseconds) = bounded.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// An outbound request that got no HTTP answer.
public struct OutboundHTTPError: Error, Sendable, CustomStringConvertible {
    public var url: String
    public var reason: String
    public var description: String { "\(url): \(reason)" }
}
