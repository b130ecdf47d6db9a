import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

extension OutboundHTTP {
    /// One request in absolute form to a forward proxy, over a connection of its own. The deadline is
    /// ``within(_:url:_:)``'s: its cancellation closes the connection; connecting waits at most 3 s (or `timeout`).
    func viaForwardProxy(
        _ method: HTTPMethod, url: URL, host: String, proxy: URL, headers: [(String, String)], body: [UInt8]?,
        timeout: Duration
    ) async throws -> Response {
        guard let proxyHost = proxy.host else { throw OutboundHTTPError(url: url.absoluteString, reason: "the proxy URL has no host") }
        let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Response.self)
        let limit = maximumBodySize
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(OutboundHTTP.timeAmount(min(timeout, .seconds(3))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, limit: limit))
                }
            }
        let channel = try await bootstrap.connect(host: proxyHost, port: proxy.port ?? 80).get()
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.absoluteString)
        head.headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: String(body?.count ?? 0))
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer { channel.close(promise: nil) }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)  // the collector then fails the promise (channelInactive)
        }
    }
}

/// Collects one HTTP response and fulfils a promise with it.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    // SAFETY: used only on its channel's event loop.
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<OutboundHTTP.Response>
    private let limit: Int
    private var status = 0
    private var headers: [(name: String, value: String)] = []
    private var body: [UInt8] = []
    private var finished = false

    init(promise: EventLoopPromise<OutboundHTTP.Response>, limit: Int) {
        self.promise = promise
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            headers = head.headers.map { ($0.name, $0.value) }
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView.prefix(max(limit - body.count, 0)))
        case .end: finish(.success(OutboundHTTP.Response(status: status, body: body, headers: headers)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(OutboundHTTPError(url: "", reason: "the proxy closed the connection before answering")))
    }

    /// Completes the promise once; later outcomes (a close after the answer) are ignored.
    private func finish(_ result: Result<OutboundHTTP.Response, any Error>) {
        guard !finished else { return }
        finished = true
        promise.completeWith(result)
    }
}
