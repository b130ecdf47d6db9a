import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The keep-alive connections of one event loop to the API server.
///
/// A request made on the loop goes out on one of the loop's idle connections (or a new one) and its answer
/// is read on the same thread, so the task that sent it resumes without waking another thread. A connection
/// idle for ``idleTimeout`` is closed, as servers and load balancers drop idle connections and a write racing
/// their close would fail. Everything here runs on ``eventLoop``.
final class HTTP1ConnectionPool: Sendable {
    /// Idle connections kept beyond this are closed.
    static let maximumIdle = 64

    let eventLoop: any EventLoop
    /// How long a connection may stay idle before it is closed.
    let idleTimeout: TimeAmount
    private let endpoint: HTTP1Endpoint
    private let maximumBodySize: Int
    private let state: NIOLoopBoundBox<State>

    private struct Connection {
        let channel: any Channel
        let handler: HTTP1ExchangeHandler
        var idleSince = NIODeadline.now()
    }

    private struct State {
        /// Idle connections, the longest idle first.
        var idle: [Connection] = []
        /// Every open connection, idle or carrying a request, by its channel.
        var open: [ObjectIdentifier: any Channel] = [:]
        /// The next sweep of idle connections, while any is idle.
        var sweep: Scheduled<Void>?
        var closed = false
    }

    init(eventLoop: any EventLoop, endpoint: HTTP1Endpoint, maximumBodySize: Int, idleTimeout: TimeAmount) {
        self.eventLoop = eventLoop
        self.endpoint = endpoint
        self.maximumBodySize = maximumBodySize
        self.idleTimeout = idleTimeout
        self.state = .makeBoxSendingValue(State(), eventLoop: eventLoop)
    }

    /// Sends the exchange's request on an idle connection, or on a new one when none is idle.
    func send(_ exchange: HTTP1Exchange) {
        guard !state.value.closed else { return exchange.fail(HTTP1TransportError.connectionClosed) }
        let oldest = NIODeadline.now() - idleTimeout
        while let connection = state.value.idle.popLast() {
            if connection.idleSince <= oldest {
                connection.channel.close(promise: nil)
            } else if connection.channel.isActive {
                return run(exchange, on: connection, reused: true)
            }
        }
        connect(exchange)
    }

    /// Closes every connection; requests sent afterwards fail.
    func close() {
        state.value.closed = true
        let channels = state.value.open.values
        state.value.idle = []
        state.value.sweep?.cancel()
        state.value.sweep = nil
        for channel in channels { channel.close(promise: nil) }
    }

    private func connect(_ exchange: HTTP1Exchange) {
        let tls: NIOSSLContext?
        switch endpoint.tls {
        case .none: tls = nil
        case .success(let context): tls = context
        case .failure(let error): return exchange.fail(error)
        }
        let (serverHostname, maximumBodySize) = (endpoint.serverHostname, self.maximumBodySize)
        ClientBootstrap(group: eventLoop)
            .connectTimeout(endpoint.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)) }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(HTTP1ExchangeHandler(maximumBodySize: maximumBodySize))
                }
            }
            .connect(host: endpoint.connectHost, port: endpoint.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel): self.opened(channel, for: exchange)
                case .failure(let error): exchange.fail(error)
                }
            }
    }

    private func opened(_ channel: any Channel, for exchange: HTTP1Exchange) {
        let id = ObjectIdentifier(channel)
        state.value.open[id] = channel
        channel.closeFuture.assumeIsolated().whenComplete { _ in
            self.state.value.open[id] = nil
            self.state.value.idle.removeAll { $0.channel === channel }
        }
        let handler: HTTP1ExchangeHandler
        do {
            handler = try channel.pipeline.syncOperations.handler(type: HTTP1ExchangeHandler.self)
        } catch {
            channel.close(promise: nil)
            return exchange.fail(error)
        }
        guard !state.value.closed else {
            channel.close(promise: nil)
            return exchange.fail(HTTP1TransportError.connectionClosed)
        }
        run(exchange, on: Connection(channel: channel, handler: handler), reused: false)
    }

    private func run(_ exchange: HTTP1Exchange, on connection: Connection, reused: Bool) {
        guard exchange.begin(on: connection.channel) else { return release(connection) }
        let answer = eventLoop.makePromise(of: HTTP1ExchangeHandler.Answer.self)
        answer.futureResult.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let answer):
                // Idle again before the task resumes, so that the request it sends next can take it.
                if answer.head.isKeepAlive && !exchange.ended { self.release(connection) } else { connection.channel.close(promise: nil) }
                exchange.succeed(answer)
            case .failure(let error):
                connection.channel.close(promise: nil)
                if reused, !connection.handler.answered, exchange.mayRetry(after: error) {
                    self.connect(exchange)
                } else {
                    exchange.fail(error)
                }
            }
        }
        connection.handler.send(exchange.head, body: exchange.body, promise: answer)
    }

    private func release(_ connection: Connection) {
        guard !state.value.closed, connection.channel.isActive, state.value.idle.count < HTTP1ConnectionPool.maximumIdle else {
            return connection.channel.close(promise: nil)
        }
        var connection = connection
        connection.idleSince = .now()
        state.value.idle.append(connection)
        if state.value.sweep == nil { scheduleSweep(in: idleTimeout) }
    }

    /// Closes the connections idle for ``idleTimeout`` or longer, then waits for the next one to expire.
    private func scheduleSweep(in delay: TimeAmount) {
        state.value.sweep = eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.state.value.sweep = nil
            let oldest = NIODeadline.now() - self.idleTimeout
            let expired = self.state.value.idle.prefix { $0.idleSince <= oldest }
            self.state.value.idle.removeFirst(expired.count)
            for connection in expired { connection.channel.close(promise: nil) }
            if let next = self.state.value.idle.first, !self.state.value.closed {
                self.scheduleSweep(in: max(next.idleSince - oldest, .milliseconds(1)))
            }
        }
    }
}
