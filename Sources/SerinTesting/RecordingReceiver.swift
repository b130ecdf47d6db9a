import Foundation
import Hummingbird
import KubeAPIServer
import KubeCore
import Logging
import NIOCore
import Synchronization

/// A local HTTP receiver that records every JSON body posted to it and answers after `delay`: `status`
/// with `answer` (default "OK", or "no such hook" for an error), `503` to the first `failing` requests.
public final class RecordingReceiver: Sendable {
    public let port: Int
    private let server: LoopbackServer
    private let recorded: Bodies

    final class Bodies: Sendable {
        let bodies = Mutex<[JSONValue]>([])
        /// Each request's path, query and `Authorization` header.
        let requests = Mutex<[(path: String, authorization: String?)]>([])
        let queries = Mutex<[String]>([])
    }

    public init(delay: Duration = .zero, status: HTTPResponse.Status = .ok, answer: String? = nil, failing: Int = 0) async throws {
        let recorded = Bodies()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let count = recorded.bodies.withLock { bodies in
                bodies.append((try? JSONValue(parsing: Array(buffer: body))) ?? .null)
                return bodies.count
            }
            recorded.requests.withLock { $0.append((request.uri.path, request.headers[.authorization])) }
            recorded.queries.withLock { $0.append(request.uri.query ?? "") }
            if delay > .zero { try await Task.sleep(for: delay) }
            if count <= failing { return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "try later"))) }
            return Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: answer ?? (status == .ok ? "OK" : "no such hook"))))
        }
        var quiet = Logger(label: "recording-receiver")
        quiet.logLevel = .critical
        server = try await LoopbackServer.start(responder, port: 0, logger: quiet)
        port = server.port
        self.recorded = recorded
    }

    public var url: String { "http://127.0.0.1:\(port)/" }
    public var bodies: [JSONValue] { recorded.bodies.withLock { $0 } }
    public var requests: [(path: String, authorization: String?)] { recorded.requests.withLock { $0 } }
    /// Each request's query string (percent-encoded as sent).
    public var queries: [String] { recorded.queries.withLock { $0 } }

    /// Stops gracefully in the background (a call still arriving is answered, never dropped mid-accept).
    public func stop() {
        let server = self.server
        Task { await server.stop() }
    }
}
