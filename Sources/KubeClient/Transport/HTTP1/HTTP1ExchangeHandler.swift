import NIOCore
import NIOHTTP1

/// The end of one keep-alive connection's pipeline: sends one request at a time and collects its answer.
///
/// It lives on the connection's event loop, as everything that touches it does (``HTTP1ConnectionPool``).
final class HTTP1ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// A complete answer.
    struct Answer: Sendable {
        var head: HTTPResponseHead
        var body: ByteBuffer
    }

    private let maximumBodySize: Int
    private var context: ChannelHandlerContext?
    private var promise: EventLoopPromise<Answer>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    /// Whether any part of the current request's answer arrived: a request whose connection closed before
    /// may be sent again on another.
    private(set) var answered = false

    init(maximumBodySize: Int) { self.maximumBodySize = maximumBodySize }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        fail(HTTP1TransportError.connectionClosed)
    }

    /// Writes a request; `promise` gets its answer, or the error that ended the connection first.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?, promise: EventLoopPromise<Answer>) {
        guard let context, context.channel.isActive, self.promise == nil else {
            promise.fail(HTTP1TransportError.connectionClosed)
            return
        }
        self.promise = promise
        (self.head, self.body, answered) = (nil, nil, false)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            answered = true
            self.head = head
        case .body(var part):
            if body == nil {
                body = part
            } else {
                body?.writeBuffer(&part)
            }
            if let body, body.readableBytes > maximumBodySize {
                fail(HTTP1TransportError.bodyTooLarge(limit: maximumBodySize))
                context.close(promise: nil)
            }
        case .end:
            guard let promise, let head else { return }
            let answer = Answer(head: head, body: body ?? ByteBuffer())
            (self.promise, self.head, self.body) = (nil, nil, nil)
            promise.succeed(answer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTP1TransportError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        guard let promise else { return }
        (self.promise, head, body) = (nil, nil, nil)
        promise.fail(error)
    }
}
