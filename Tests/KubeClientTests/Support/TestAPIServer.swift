import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KubeClient
import Logging
import KubeCore
import NIOCore
import NIOSSL

/// A request as the test server saw it.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    /// The raw (still percent-encoded) query string.
    var query: String
    /// Header values by lower-case name.
    var headers: [String: String]
    var body: [UInt8]

    /// The decoded query parameters.
    var parameters: [String: String] {
        var components = URLComponents()
        components.percentEncodedQuery = query
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }
}

/// What the test server answers.
struct CannedResponse: Sendable {
    var status: Int = 200
    var headers: [String: String] = [:]
    /// Body pieces, written as separate chunks with `chunkDelay` between them.
    var chunks: [String]
    var chunkDelay: Duration = .zero

    static func json(_ body: String, status: Int = 200, headers: [String: String] = [:]) -> CannedResponse {
        CannedResponse(status: status, headers: headers, chunks: [body])
    }
}

/// A local HTTP(S) server on loopback that records requests and answers with a handler's canned responses.
///
/// Stand-in for an API server in client tests; when the sandbox lands these tests move to it.
final class TestAPIServer: Sendable {
    let port: Int
    let scheme: String
    private let task: Task<Void, any Error>
    private let recorder: Recorder

    actor Recorder {
        var requests: [RecordedRequest] = []
        func record(_ request: RecordedRequest) { requests.append(request) }
    }

    static func start(
        tls: TLSConfiguration? = nil, handler: @escaping @Sendable (RecordedRequest) async -> CannedResponse
    ) async throws -> TestAPIServer {
        let recorder = Recorder()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 24)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let recorded = RecordedRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
                body: Array(buffer: body))
            await recorder.record(recorded)
            let canned = await handler(recorded)
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in canned.headers { fields[HTTPField.Name(name)!] = value }
            let responseBody = ResponseBody { writer in
                for (index, chunk) in canned.chunks.enumerated() {
                    if index > 0, canned.chunkDelay > .zero { try await Task.sleep(for: canned.chunkDelay) }
                    try await writer.write(ByteBuffer(string: chunk))
                }
                try await writer.finish(nil)
            }
            return Response(status: .init(code: canned.status), headers: fields, body: responseBody)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let app = Application(
            responder: responder, server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: TestAPIServer.quietLogger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return TestAPIServer(port: port, scheme: tls == nil ? "http" : "https", task: task, recorder: recorder)
    }

    private init(port: Int, scheme: String, task: Task<Void, any Error>, recorder: Recorder) {
        self.port = port
        self.scheme = scheme
        self.task = task
        self.recorder = recorder
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "test-api-server")
        logger.logLevel = .critical
        return logger
    }()

    var url: URL { URL(string: "\(scheme)://127.0.0.1:\(port)")! }

    var requests: [RecordedRequest] { get async { await recorder.requests } }

    func stop() { task.cancel() }

    /// A client for this server with anonymous auth and no client-side rate limit.
    func client(
        authentication: Authentication = .none, tls: TLSSettings = TLSSettings(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) -> KubeClient {
        var configuration = ClientConfiguration(server: url, tls: tls, authentication: authentication, source: "test")
        configuration.qps = 0
        return KubeClient(configuration: configuration, sleep: sleep)
    }
}

/// Runs `body` with a started server and a client for it, then shuts both down.
func withTestServer<T>(
    tls: TLSConfiguration? = nil, handler: @escaping @Sendable (RecordedRequest) async -> CannedResponse,
    _ body: (TestAPIServer) async throws -> T
) async throws -> T {
    let server = try await TestAPIServer.start(tls: tls, handler: handler)
    defer { server.stop() }
    return try await body(server)
}

/// Shuts a client down after `body`, whether or not it throws.
func using<T>(_ client: KubeClient, _ body: (KubeClient) async throws -> T) async throws -> T {
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try await client.shutdown()
        throw error
    }
}
