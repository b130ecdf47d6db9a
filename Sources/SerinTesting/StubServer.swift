import Hummingbird
import HummingbirdCore

/// A local HTTP server on loopback answering with `responder` while `body` runs with its port; stopped when
/// `body` returns or throws. A stand-in for Prometheus, a webhook or any HTTP peer.
public enum StubServer {
    public static func serve(_ responder: CallbackResponder<BasicRequestContext>, _ body: (Int) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        try await body(port)
    }
}
