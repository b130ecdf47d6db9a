import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Splunk Observability's SignalFlow stream on loopback, following the SignalFlow API reference
/// (https://dev.splunk.com/observability/reference/api/signalflow/latest) and the messages its official clients
/// read (signalflow-client-go, the `signalfx` Python library): `GET /v2/signalflow/connect` upgraded to a
/// WebSocket; an `authenticate` message answered `authenticated`, or the socket closed (4401) for a wrong
/// token; an `execute` answered on its channel with `STREAM_START`, `JOB_START`, the series' `metadata`,
/// binary data messages (version 1, type 5) one resolution apart with an information message after the first,
/// and `END_OF_CHANNEL`. A program with unbalanced parentheses gets an `error` message (400). Compression is
/// never applied (data messages say so in their flags), whatever the request asked. `GET /v2/metric?limit=1`
/// answers 200 for the token, 401 otherwise.
///
/// The value comes from the ``VendorStandIn/Signal``: `nil` sends no data point, NaN a null one.
public enum SignalFlowStandIn {
    /// The one series' id, as its metadata names it (base64url of the 8 bytes, unpadded).
    public static let tsid: Int64 = 42
    static let resolutionMs: Int64 = 60_000

    enum Connection: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>)
    }

    /// Serves on a free loopback port while `body` runs with it.
    public static func serve<T: Sendable>(
        token: String, signal: @escaping VendorStandIn.Signal, _ body: (Int, VendorStandIn) async throws -> T
    ) async throws -> T {
        let standIn = VendorStandIn(signal: signal)
        let server = try await bind()
        let port = server.channel.localAddress?.port ?? 0
        let accepting = Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { try? await handle(try await connection.get(), token: token, standIn: standIn) }
                    }
                }
            }
        }
        defer {
            server.channel.close(promise: nil)
            accepting.cancel()
        }
        return try await body(port, standIn)
    }

    private static func bind() async throws -> NIOAsyncChannel<EventLoopFuture<Connection>, Never> {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketServerUpgrader<Connection>(
                        shouldUpgrade: { channel, head in
                            channel.eventLoop.makeSucceededFuture(head.uri.hasPrefix("/v2/signalflow/connect") ? HTTPHeaders() : nil)
                        },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture { .webSocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel)) }
                        })
                    let configuration = NIOTypedHTTPServerUpgradeConfiguration<Connection>(
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture { .http(try NIOAsyncChannel(wrappingChannelSynchronously: channel)) }
                        })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
    }

    private static func handle(_ connection: Connection, token: String, standIn: VendorStandIn) async throws {
        switch connection {
        case .http(let channel):
            try await channel.executeThenClose { inbound, outbound in
                for try await part in inbound {
                    guard case .head(let head) = part else { continue }
                    let authorized = head.headers["X-SF-Token"].first == token && head.uri.hasPrefix("/v2/metric")
                    let body =
                        authorized
                        ? #"{"count":1,"results":[{"name":"service.request.count","type":"COUNTER"}]}"# : #"{"code":401,"message":"Unauthorized"}"#
                    var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.utf8.count)")])
                    headers.add(name: "Connection", value: "close")
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: authorized ? .ok : .unauthorized, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
                    try await outbound.write(.end(nil))
                    return
                }
            }
        case .webSocket(let channel):
            try await channel.executeThenClose { inbound, outbound in
                try await SignalFlowSession(outbound: outbound, token: token, standIn: standIn).run(inbound)
            }
        }
    }
}
