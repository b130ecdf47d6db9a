import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The operator's HTTP endpoints: `/metrics` (Prometheus), `/healthz` (the process is alive) and `/readyz`
/// (caches synced, and leading or standing by).
struct OperatorHTTPServer: Sendable {
    let metrics: OperatorMetrics
    let health: OperatorHealth
    let logger: Logger

    /// Serves on `port` until cancelled; `onListening` gets the bound port (0 picks a free one).
    ///
    /// - Throws: ``ListenError`` naming the address when it cannot be bound.
    func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let listening = Atomic<Bool>(false)
        do {
            try await serve(host: host, port: port) { bound in
                listening.store(true, ordering: .relaxed)
                onListening(bound)
            }
        } catch where !listening.load(ordering: .relaxed) && !(error is CancellationError) {
            throw ListenError(address: "\(host):\(port)", cause: error)
        }
    }

    private func serve(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        var quiet = logger
        quiet.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in self.respond(request) },
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) }, logger: quiet)
        try await app.run()
    }

    /// The endpoints could not listen.
    struct ListenError: Error, CustomStringConvertible {
        var address: String
        var cause: any Error
        var description: String { "failed to listen on \(address) for /metrics, /healthz and /readyz: \(cause)" }
    }

    func respond(_ request: Request) -> Response {
        switch request.uri.path {
        case "/metrics": return text(.ok, metrics.exposition(), contentType: "text/plain; version=0.0.4")
        case "/healthz": return text(.ok, "OK")
        case "/readyz": return health.isReady ? text(.ok, "OK: \(health.summary)") : text(.serviceUnavailable, "not ready: \(health.summary)")
        default: return text(.notFound, "not found: /metrics, /healthz or /readyz")
        }
    }

    private func text(_ status: HTTPResponse.Status, _ body: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
