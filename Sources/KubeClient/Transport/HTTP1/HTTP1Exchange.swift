import NIOCore
import NIOHTTP1

/// One request on its way through an ``HTTP1ConnectionPool``: ends once, by its answer, an error, its
/// timeout or its task's cancellation, whichever comes first.
///
/// Its state is touched on its event loop only.
final class HTTP1Exchange: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let promise: EventLoopPromise<HTTP1ExchangeHandler.Answer>
    private let state: NIOLoopBoundBox<State>

    private struct State {
        var ended = false
        /// The connection carrying the request: closed when the request ends early.
        var channel: (any Channel)?
        var timer: Scheduled<Void>?
        var attempts = 0
    }

    init(head: HTTPRequestHead, body: ByteBuffer?, on eventLoop: any EventLoop) {
        self.head = head
        self.body = body
        self.promise = eventLoop.makePromise()
        self.state = .makeBoxSendingValue(State(), eventLoop: eventLoop)
    }

    var ended: Bool { state.value.ended }

    /// Fails the request when `timeout` passes first.
    func start(timeout: TimeAmount) {
        state.value.timer = promise.futureResult.eventLoop.scheduleTask(in: timeout) { [self] in
            fail(HTTP1TransportError.timedOut(.nanoseconds(timeout.nanoseconds)))
        }
    }

    /// The request goes out on `channel`; `false` when it already ended.
    func begin(on channel: any Channel) -> Bool {
        guard !state.value.ended else { return false }
        state.value.channel = channel
        state.value.attempts += 1
        return true
    }

    /// Whether a request whose connection broke before any answer may be sent again: once, and only a
    /// request the server cannot have acted on twice.
    func mayRetry(after error: any Error) -> Bool {
        guard !state.value.ended, state.value.attempts < 2, head.method == .GET || head.method == .HEAD else { return false }
        switch error {
        case HTTP1TransportError.connectionClosed, ChannelError.ioOnClosedChannel, ChannelError.eof: return true
        case is IOError: return true
        default: return false
        }
    }

    func succeed(_ answer: HTTP1ExchangeHandler.Answer) {
        guard end() else { return }
        promise.succeed(answer)
    }

    /// Ends the request with `error`, closing its connection (whose state is unknown) if it had one.
    func fail(_ error: any Error) {
        let channel = state.value.channel
        guard end() else { return }
        channel?.close(promise: nil)
        promise.fail(error)
    }

    private func end() -> Bool {
        guard !state.value.ended else { return false }
        state.value.ended = true
        state.value.timer?.cancel()
        (state.value.timer, state.value.channel) = (nil, nil)
        return true
    }
}
