import Foundation
import Hummingbird
import KubeCore
import Logging
import NIOCore
import Synchronization

/// A local HTTP receiver that records every JSON body posted to it and answers after `delay`.
final class RecordingReceiver: Sendable {
    let port: Int
    private let server: Task<Void, any Error>
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
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var quiet = Logger(label: "recording-receiver")
        quiet.logLevel = .critical
        let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
        server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
        self.recorded = recorded
    }

    var url: String { "http://127.0.0.1:\(port)/" }
    var bodies: [JSONValue] { recorded.bodies.withLock { $0 } }
    var requests: [(path: String, authorization: String?)] { recorded.requests.withLock { $0 } }

    func stop() { server.cancel() }
}
