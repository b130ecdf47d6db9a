import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP server on loopback that answers each request by its path:
///
/// - `/stall`: a 200 head with `Content-Length: 1000` and one byte, then nothing for ``stall``;
/// - `/trickle`: a 200 head with `Content-Length: 1000`, then one byte every ``trickleInterval``;
/// - anything else: `200 ok` at once.
///
/// It counts the requests it has received and the connections clients have closed, so a test can wait for
/// what it asserts. ``shutdown()`` closes every connection and the listener.
final class SlowServer: Sendable {
    struct Counts: Sendable {
        var requests: [String: Int] = [:]
        /// Connections closed while a slow answer was being sent (by the client, unless the stall ended).
        var closedMidAnswer = 0
    }

    /// What the server has seen, shared by its connections.
    final class State: Sendable {
        let lock = Mutex<(counts: Counts, connections: [any Channel])>((Counts(), []))
    }

    let stall: Duration
    let trickleInterval: Duration
    let port: Int
    private let listener: any Channel
    private let state = State()

    init(stall: Duration = .seconds(30), trickleInterval: Duration = .milliseconds(500)) async throws {
        self.stall = stall
        self.trickleInterval = trickleInterval
        let state = self.state
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                state.lock.withLock { $0.connections.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        SlowHandler(stall: stall, trickleInterval: trickleInterval, state: state))
                }
            }
        listener = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = listener.localAddress?.port ?? 0
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var counts: Counts { state.lock.withLock { $0.counts } }

    /// Runs `body` with a server, shut down when it ends.
    static func with<T>(
        stall: Duration = .seconds(30), trickleInterval: Duration = .milliseconds(500),
        _ body: (SlowServer) async throws -> T
    ) async throws -> T {
        let server = try await SlowServer(stall: stall, trickleInterval: trickleInterval)
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// Closes the listener and every connection still open.
    func shutdown() async {
        let connections = state.lock.withLock { $0.connections }
        for connection in connections { try? await connection.close() }  // already closed by the client: fine
        try? await listener.close()
    }
}

/// Answers one connection's requests for ``SlowServer``.
private final class SlowHandler: ChannelInboundHandler, @unchecked Sendable {
    // SAFETY: used only on its channel's event loop.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let stall: Duration
    let trickleInterval: Duration
    let state: SlowServer.State
    private var path = ""
    private var answered = false

    init(stall: Duration, trickleInterval: Duration, state: SlowServer.State) {
        self.stall = stall
        self.trickleInterval = trickleInterval
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = SlowHandler.path(of: head.uri)
        case .body: break
        case .end: answer(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if answered { state.lock.withLock { $0.counts.closedMidAnswer += 1 } }
        context.fireChannelInactive()
    }

    private func answer(context: ChannelHandlerContext) {
        answered = false
        state.lock.withLock { $0.counts.requests[path, default: 0] += 1 }
        var headers = HTTPHeaders([("Content-Length", path == "/stall" || path == "/trickle" ? "1000" : "2")])
        headers.add(name: "Content-Type", value: "text/plain")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        switch path {
        case "/stall":
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "x")))), promise: nil)
            answered = true
            let channel = context.channel
            context.eventLoop.scheduleTask(in: Self.amount(stall)) { channel.close(promise: nil) }
        case "/trickle":
            context.flush()
            answered = true
            trickle(context: context, left: 1000)
        default:
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    /// One byte now and the rest one by one, every ``trickleInterval``, while the connection is open.
    private func trickle(context: ChannelHandlerContext, left: Int) {
        guard context.channel.isActive else { return }
        guard left > 0 else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "x")))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.amount(trickleInterval)) { [self] in trickle(context: bound.value, left: left - 1) }
    }

    /// The path of an origin-form (`/stall?x`) or absolute-form (`http://host:1/stall`, sent to a proxy) target.
    static func path(of uri: String) -> String {
        var rest = Substring(uri)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        return String(rest.prefix { $0 != "?" })
    }

    static func amount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
