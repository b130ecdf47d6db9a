import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import KubeClient
import Logging
import NIOCore
import NIOHTTP1

/// Serves a ``KubeClient``'s requests with an ``APIServer`` in the same process: no socket, no port, the
/// same answers (faults, audit and watches included) as over HTTP.
public struct InProcessTransport: KubeTransport {
    let server: APIServer

    public init(server: APIServer) { self.server = server }

    public func execute(_ request: TransportRequest, logger: Logger) async throws -> HTTPClientResponse {
        guard let url = URLComponents(string: request.url) else { throw URLError(.badURL) }
        var fields = HTTPFields()
        for (name, value) in request.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        var path = url.percentEncodedPath
        if let query = url.percentEncodedQuery { path += "?\(query)" }
        let method = HTTPRequest.Method(request.method.rawValue) ?? .get
        let head = HTTPRequest(method: method, scheme: "http", authority: url.host ?? "in-memory", path: path, headerFields: fields)
        let body = request.body ?? []
        let response =
            body.count > server.maximumRequestBytes
            ? APIServer.status(APIServer.tooLarge(limit: server.maximumRequestBytes))
            : await server.respond(Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body))), body: body)
        var headers = HTTPHeaders()
        for field in response.headers { headers.add(name: field.name.rawName, value: field.value) }
        return HTTPClientResponse(
            status: HTTPResponseStatus(statusCode: response.status.code), headers: headers,
            body: .stream(InProcessTransport.stream(response.body)))
    }

    public func shutdown() async throws {}

    /// The response body as the chunks its writer produces; a watch's stream ends when its reader stops.
    static func stream(_ body: ResponseBody) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let writer = Task {
            do {
                try await body.write(StreamWriter(continuation: continuation))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in writer.cancel() }
        return stream
    }

    struct StreamWriter: ResponseBodyWriter {
        let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

        mutating func write(_ buffer: ByteBuffer) async throws {
            if case .terminated = continuation.yield(buffer) { throw CancellationError() }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws { continuation.finish() }
    }
}
