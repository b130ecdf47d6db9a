import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP/1.1 server that answers each request as a script says, by the number of the connection
/// and of the request on it: to see how a client uses its connections.
final class ScriptedHTTPServer: Sendable {
    /// What the server does with a request.
    enum Action: Sendable {
        /// Answers with this status and body (keep-alive).
        case answer(Int, String)
        /// Closes the connection without an answer.
        case close
        /// Never answers.
        case silent
    }

    /// A request as the server saw it.
    struct Seen: Sendable {
        var connection: Int
        var method: String
        var uri: String
        var headers: [String: String]
    }

    let port: Int
    private let channel: any Channel
    private let state: State

    final class State: Sendable {
        let script: @Sendable (_ connection: Int, _ request: Int, _ method: String) -> Action
        let seen = Mutex<[Seen]>([])
        let connections = Mutex(0)
        let closedConnections = Mutex(0)
        init(script: @escaping @Sendable (Int, Int, String) -> Action) { self.script = script }
    }

    static func start(
        _ script: @escaping @Sendable (_ connection: Int, _ request: Int, _ method: String) -> Action
    ) async throws
        -> ScriptedHTTPServer
    {
        let state = State(script: script)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let number = state.connections.withLock { count in
                    count += 1
                    return count
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(ConnectionHandler(state: state, connection: number))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedHTTPServer(channel: channel, state: state)
    }

    private init(channel: any Channel, state: State) {
        self.channel = channel
        self.state = state
        self.port = channel.localAddress?.port ?? 0
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var seen: [Seen] { state.seen.withLock { $0 } }
    var connections: Int { state.connections.withLock { $0 } }
    /// Connections the client (or the script) closed.
    var closedConnections: Int { state.closedConnections.withLock { $0 } }

    func stop() async { try? await channel.close() }

    private final class ConnectionHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: State
        let connection: Int
        var requests = 0
        var head: HTTPRequestHead?

        init(state: State, connection: Int) {
            self.state = state
            self.connection = connection
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.closedConnections.withLock { $0 += 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                requests += 1
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                state.seen.withLock {
                    $0.append(Seen(connection: connection, method: head.method.rawValue, uri: head.uri, headers: headers))
                }
                switch state.script(connection, requests, head.method.rawValue) {
                case .answer(let status, let body):
                    let bytes = ByteBuffer(string: body)
                    var fields = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(bytes.readableBytes)")])
                    fields.add(name: "Connection", value: "keep-alive")
                    context.write(
                        wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: fields))), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                case .close: context.close(promise: nil)
                case .silent: break
                }
            }
        }
    }
}
