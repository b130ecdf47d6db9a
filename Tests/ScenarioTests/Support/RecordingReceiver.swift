import Foundation
import Hummingbird
import KubeSandbox
import KubeCore
import Logging
import NIOCore
import Synchronization

/// A local HTTP receiver that records every JSON body posted to it and answers after `delay`.
final class RecordingReceiver: Sendable {
    let port: Int
    private let server: LoopbackServer
    private let recorded: Bodies

    final class Bodies: Sendable {
        let bodies = Mutex<[JSONValue]>([])
        /// Each request's path and `Authorization` header.
        let requests = Mutex<[(path: String, authorization: String?)]>([])
    }

    init(delay: Duration = .zero, status: HTTPResponse.Status = .ok) async throws {
        let recorded = Bodies()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            recorded.bodies.withLock { $0.append((try? JSONValue(parsing: Array(buffer: body))) ?? .null) }
            recorded.requests.withLock { $0.append((request.uri.path, request.headers[.authorization])) }
            if delay > .zero { try await Task.sleep(for: delay) }
            return Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: status == .ok ? "OK" : "no such hook")))
        }
        var quiet = Logger(label: "recording-receiver")
        quiet.logLevel = .critical
        server = try await LoopbackServer.start(responder, port: 0, logger: quiet)
        port = server.port
        self.recorded = recorded
    }

    var url: String { "http://127.0.0.1:\(port)/" }
    var bodies: [JSONValue] { recorded.bodies.withLock { $0 } }
    var requests: [(path: String, authorization: String?)] { recorded.requests.withLock { $0 } }

    /// Stops gracefully in the background (a call still arriving is answered, never dropped mid-accept).
    func stop() {
        let server = self.server
        Task { await server.stop() }
    }
}
