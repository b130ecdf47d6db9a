import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// An outbound WebSocket (RFC 6455) session over `ws://` or `wss://`, for providers that stream (Splunk's
/// SignalFlow). Certificates are verified unless ``OutboundHTTP/verifiesCertificates`` is off; a proxy that
/// would apply to the URL is refused by name (WebSockets are not tunnelled through proxies yet).
public struct OutboundWebSocket: Sendable {
    /// One received message: fragments are joined, pings answered, and a close ends the stream.
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
    }

    /// The open session handed to ``OutboundHTTP/webSocket(_:timeout:_:)``'s body.
    public struct Session: Sendable {
        let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
        let inbound: Inbound

        /// Sends a text message.
        public func send(text: String) async throws {
            var buffer = ByteBuffer()
            buffer.writeString(text)
            try await outbound.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer))
        }

        /// The next message, or `nil` once the server closed the connection (with its close code and reason
        /// in ``closure``).
        public func receive() async throws -> Message? {
            try await inbound.next(answering: outbound)
        }

        /// The server's close code and reason, once it closed.
        public var closure: (code: UInt16?, reason: String)? { inbound.closure }
    }

    /// Reads frames, answering pings and remembering the server's close frame.
    final class Inbound: @unchecked Sendable {
        private var iterator: NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator
        private(set) var closure: (code: UInt16?, reason: String)?

        init(_ stream: NIOAsyncChannelInboundStream<WebSocketFrame>) { iterator = stream.makeAsyncIterator() }

        func next(answering outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) async throws -> Message? {
            while closure == nil, let frame = try await iterator.next() {
                var data = frame.unmaskedData
                switch frame.opcode {
                case .text: return .text(data.readString(length: data.readableBytes) ?? "")
                case .binary: return .binary(data.readBytes(length: data.readableBytes) ?? [])
                case .ping: try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                case .connectionClose:
                    let code = data.readInteger(as: UInt16.self)
                    closure = (code, data.readString(length: data.readableBytes) ?? "")
                    try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: ByteBuffer()))
                default: continue
                }
            }
            if closure == nil { closure = (nil, "the connection was closed") }
            return nil
        }
    }

    enum Upgrade: Sendable {
        case upgraded(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused
    }
}

extension OutboundHTTP {
    /// Opens a WebSocket to `urlText`, runs `body` with it and closes it; the whole exchange (connecting, the
    /// upgrade and `body`) must end within `timeout`, or fails with ``OutboundHTTPError`` "timed out after …".
    public func webSocket<T: Sendable>(
        _ urlText: String, timeout: Duration, _ body: @escaping @Sendable (OutboundWebSocket.Session) async throws -> T
    ) async throws(OutboundHTTPError) -> T {
        guard let url = URL(string: urlText), let host = url.host, let scheme = url.scheme, ["ws", "wss"].contains(scheme) else {
            throw OutboundHTTPError(url: urlText, reason: "not a ws(s) URL")
        }
        let port = url.port ?? (scheme == "wss" ? 443 : 80)
        guard (1...65535).contains(port) else { throw OutboundHTTPError(url: urlText, reason: "port \(port) is out of range (1-65535)") }
        var web = URLComponents(url: url, resolvingAgainstBaseURL: false)
        web?.scheme = scheme == "wss" ? "https" : "http"
        if let proxy = web?.url.flatMap(proxies.proxy(for:)) {
            throw OutboundHTTPError(url: urlText, reason: "a WebSocket cannot go through the proxy \(proxy.host ?? "") yet; add the host to NO_PROXY")
        }
        let path = (url.path.isEmpty ? "/" : url.path) + (url.query.map { "?\($0)" } ?? "")
        let tls = scheme == "wss" ? try makeTLSContext(url: urlText) : nil
        do {
            return try await OutboundHTTP.within(timeout, url: urlText) {
                let channel = try await OutboundHTTP.upgrade(host: host, port: port, path: path, tls: tls)
                return try await channel.executeThenClose { inbound, outbound in
                    try await body(OutboundWebSocket.Session(outbound: outbound, inbound: OutboundWebSocket.Inbound(inbound)))
                }
            }
        } catch let error as OutboundHTTPError {
            throw error
        } catch {
            throw OutboundHTTPError(url: urlText, reason: "\(error)")
        }
    }

    private func makeTLSContext(url: String) throws(OutboundHTTPError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !verifiesCertificates { configuration.certificateVerification = .none }
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw OutboundHTTPError(url: url, reason: "failed to set up TLS: \(error)")
        }
    }

    /// Connects and upgrades to a WebSocket, or fails naming the status the server answered instead.
    private static func upgrade(
        host: String, port: Int, path: String, tls: NIOSSLContext?
    ) async throws
        -> NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
    {
        let upgrade: EventLoopFuture<OutboundWebSocket.Upgrade> = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let hostname = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: hostname))
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<OutboundWebSocket.Upgrade>(maxFrameSize: 1 << 20) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024, maxAccumulatedFrameSize: 16 << 20))
                            return .upgraded(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                        }
                    }
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: port == 80 || port == 443 ? host : "\(host):\(port)")
                    headers.add(name: "Content-Length", value: "0")
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<OutboundWebSocket.Upgrade>(
                        upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers),
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .refused } })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        switch try await upgrade.get() {
        case .upgraded(let channel): return channel
        case .refused: throw OutboundHTTPError(url: "ws://\(host):\(port)\(path)", reason: "the server did not upgrade to a WebSocket")
        }
    }
}
