import AsyncHTTPClient
import Logging
import KubeCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// The API client's transport for requests whose answer is collected (every request but a watch): HTTP/1.1
/// on keep-alive connections kept per event loop (``HTTP1ConnectionPool``).
///
/// A request is sent from the event loop the calling task runs on (the controller's workers and the
/// reflectors run on the loops, ``EventLoopTaskExecutor``), on a connection of that loop, so the answer is
/// read and the task resumed on one thread. A request goes through as few steps as HTTP/1.1 needs: no
/// redirects, no tracing span, no per-request URL parsing, where AsyncHTTPClient took about a seventh of
/// the operator's CPU in a rollout. Watches, and every request when a proxy is configured, go to
/// `fallback`.
///
/// ## Guarantees
/// - A `GET` whose reused connection broke before any answer arrived is sent once more on a new connection
///   (the server closed an idle connection); other methods fail with the error, as they may have been
///   applied.
/// - A request ends by its timeout or its task's cancellation; its connection is then closed, not reused.
/// - A connection idle for `idleTimeout` is closed.
struct PooledHTTPTransport: KubeTransport {
    let endpoint: HTTP1Endpoint
    let fallback: any KubeTransport
    /// One pool per loop of the group, and each pool's index by its loop.
    private let pools: [HTTP1ConnectionPool]
    private let poolIndex: [ObjectIdentifier: Int]

    /// `nil` when `group` has no event loop.
    init?(
        endpoint: HTTP1Endpoint, group: any EventLoopGroup, maximumBodySize: Int, idleTimeout: Duration, fallback: any KubeTransport
    ) {
        self.endpoint = endpoint
        self.fallback = fallback
        let idle = TimeAmount.nanoseconds(idleTimeout.clampedNanoseconds)
        pools = group.makeIterator().map {
            HTTP1ConnectionPool(eventLoop: $0, endpoint: endpoint, maximumBodySize: maximumBodySize, idleTimeout: idle)
        }
        guard !pools.isEmpty else { return nil }
        var index: [ObjectIdentifier: Int] = [:]
        for (position, pool) in pools.enumerated() { index[ObjectIdentifier(pool.eventLoop)] = position }
        poolIndex = index
    }

    func execute(_ request: TransportRequest, logger: Logger) async throws -> HTTPClientResponse {
        guard !request.streamsBody, request.url.hasPrefix(endpoint.origin) else {
            return try await fallback.execute(request, logger: logger)
        }
        let target = String(request.url.utf8.dropFirst(endpoint.origin.utf8.count)) ?? "/"
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + 2)
        headers.add(name: "Host", value: endpoint.authority)
        for (name, value) in request.headers {
            guard PooledHTTPTransport.isValidHeaderValue(value) else { throw HTTP1TransportError.invalidHeaderValue(name: name) }
            headers.add(name: name, value: value)
        }
        if let body = request.body { headers.add(name: "Content-Length", value: String(body.count)) }
        let head = HTTPRequestHead(version: .http1_1, method: request.method, uri: target.isEmpty ? "/" : target, headers: headers)
        let pool = currentPool()
        let exchange = HTTP1Exchange(head: head, body: request.body.map { ByteBuffer(bytes: $0) }, on: pool.eventLoop)
        let timeout = TimeAmount.nanoseconds(request.timeout.clampedNanoseconds)
        let answer = try await withTaskCancellationHandler {
            if pool.eventLoop.inEventLoop {
                exchange.start(timeout: timeout)
                pool.send(exchange)
            } else {
                pool.eventLoop.execute {
                    exchange.start(timeout: timeout)
                    pool.send(exchange)
                }
            }
            return try await exchange.promise.futureResult.get()
        } onCancel: {
            pool.eventLoop.execute { exchange.fail(CancellationError()) }
        }
        return HTTPClientResponse(version: answer.head.version, status: answer.head.status, headers: answer.head.headers, body: .bytes(answer.body))
    }

    func shutdown() async throws {
        for pool in pools { try await pool.eventLoop.submit { pool.close() }.get() }
        try await fallback.shutdown()
    }

    /// The pool of the event loop this task runs on, or any pool from a thread of no loop of the group.
    private func currentPool() -> HTTP1ConnectionPool {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, let index = poolIndex[ObjectIdentifier(loop)] { return pools[index] }
        return pools[Int.random(in: 0..<pools.count)]
    }

    /// No CR, LF or NUL: a value holding one would end the header early (header injection).
    static func isValidHeaderValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}
