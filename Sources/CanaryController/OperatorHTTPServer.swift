import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The operator's HTTP endpoints: `/metrics` (Prometheus), `/healthz` (the process is alive) and `/readyz`
/// (caches synced, and leading or standing by).
///
/// ## Guarantees
/// - The endpoints answer on an event loop thread of their own, synchronously, never through Swift's
///   concurrency pool: however busy reconciles keep that pool (or a task blocking it), `/healthz` answers,
///   so a kubelet never restarts a working operator for being slow.
/// - A port that cannot be bound is a ``ListenError`` naming the address.
struct OperatorHTTPServer: Sendable {
    let metrics: OperatorMetrics
    let health: OperatorHealth
    let logger: Logger

    /// Serves on `port` until cancelled; `onListening` gets the bound port (0 picks a free one).
    ///
    /// - Throws: ``ListenError`` naming the address when it cannot be bound.
    func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)  // its own thread
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 64)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(EndpointHandler(respond: self.respond))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            await shutDown(group)  // nothing was served; the bind error is what matters
            throw ListenError(address: "\(host):\(port)", cause: error)
        }
        onListening(channel.localAddress?.port ?? 0)
        await withTaskCancellationHandler {
            do { try await channel.closeFuture.get() } catch {  // closed below on cancellation
                logger.debug("the endpoints' channel closed with an error", metadata: ["error": "\(error)"])
            }
        } onCancel: {
            channel.close(promise: nil)
        }
        await shutDown(group)
    }

    private func shutDown(_ group: MultiThreadedEventLoopGroup) async {
        do { try await group.shutdownGracefully() } catch {
            logger.debug("the endpoints' event loop did not shut down cleanly", metadata: ["error": "\(error)"])
        }
    }

    /// The endpoints could not listen.
    struct ListenError: Error, CustomStringConvertible {
        var address: String
        var cause: any Error
        var description: String { "failed to listen on \(address) for /metrics, /healthz and /readyz: \(cause)" }
    }

    /// The status, content type and body for a request path.
    func respond(_ path: String) -> (status: HTTPResponseStatus, contentType: String, body: String) {
        let text = "text/plain; charset=utf-8"
        switch path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path {
        case "/metrics": return (.ok, "text/plain; version=0.0.4", metrics.exposition())
        case "/healthz": return (.ok, text, "OK")
        case "/readyz": return health.isReady ? (.ok, text, "OK: \(health.summary)") : (.serviceUnavailable, text, "not ready: \(health.summary)")
        default: return (.notFound, text, "not found: /metrics, /healthz or /readyz")
        }
    }
}

/// Answers each request on the channel's event loop, at its end (bodies are ignored).
private final class EndpointHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let respond: @Sendable (String) -> (status: HTTPResponseStatus, contentType: String, body: String)
    /// The request being read (a handler lives on its channel's event loop only).
    private var request: (path: String, keepAlive: Bool)?

    init(respond: @escaping @Sendable (String) -> (status: HTTPResponseStatus, contentType: String, body: String)) { self.respond = respond }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = (head.uri, head.isKeepAlive)
        case .body:
            break
        case .end:
            guard let (path, keepAlive) = request else { return }
            request = nil
            let answer = respond(path)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: answer.contentType)
            headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: answer.status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: answer.body)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)  // a malformed request ends its connection, nothing else
    }
}
