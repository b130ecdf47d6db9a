import Foundation
import KubeClient
import KubeCore
import NIOPosix
import Testing

/// The API client's own HTTP/1.1 transport against a scripted server: connections kept and reused, a `GET`
/// sent again only when its reused connection broke before any answer, timeouts, cancellation, and header
/// values checked.
@Suite struct PooledHTTPTransportTests {
    static let namespace = #"{"metadata":{"name":"default"}}"#

    func client(
        _ server: ScriptedHTTPServer, timeout: Duration = .seconds(60), idle: Duration = .seconds(60), token: String? = nil
    ) -> KubeClient {
        var configuration = ClientConfiguration(
            server: server.url, authentication: token.map { .bearerToken($0) } ?? .none, source: "test")
        configuration.qps = 0
        configuration.requestTimeout = timeout
        configuration.idleConnectionTimeout = idle
        return KubeClient(configuration: configuration)
    }

    /// Runs `body` in a task on one of the client's event loops, as the operator's workers run.
    func onOneLoop<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let executor = EventLoopTaskExecutor(MultiThreadedEventLoopGroup.singleton.next())
        return try await Task(executorPreference: executor) { try await body() }.value
    }

    @Test func requestsOneAfterAnotherFromOneLoopShareOneConnection() async throws {
        let server = try await ScriptedHTTPServer.start { _, _, _ in .answer(200, PooledHTTPTransportTests.namespace) }
        try await using(client(server)) { client in
            try await onOneLoop {
                for _ in 0..<20 {
                    let object = try await client.resource(.namespaces).get("default")
                    #expect(object.name == "default")
                }
            }
        }
        #expect(server.connections == 1)
        #expect(server.seen.count == 20)
        #expect(server.seen.allSatisfy { $0.headers["host"] == "127.0.0.1:\(server.port)" && $0.uri == "/api/v1/namespaces/default" })
        await server.stop()
    }

    @Test func concurrentRequestsEachGetAConnectionAndAllAreAnswered() async throws {
        let server = try await ScriptedHTTPServer.start { _, _, _ in .answer(200, PooledHTTPTransportTests.namespace) }
        try await using(client(server)) { client in
            try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<40 { group.addTask { try await client.resource(.namespaces).get("default").name } }
                for try await name in group { #expect(name == "default") }
            }
        }
        #expect(server.seen.count == 40)
        #expect(server.connections <= 40)
        await server.stop()
    }

    @Test func aGetOnAConnectionClosedUnderItIsSentOnceMoreOnANewOne() async throws {
        // The second request of every connection finds it closed, as when the server drops an idle connection.
        let server = try await ScriptedHTTPServer.start { _, request, _ in
            request == 2 ? .close : .answer(200, PooledHTTPTransportTests.namespace)
        }
        try await using(client(server)) { client in
            try await onOneLoop {
                let first = try await client.resource(.namespaces).get("default")
                let second = try await client.resource(.namespaces).get("default")
                #expect(first.name == "default" && second.name == "default")
            }
        }
        #expect(server.seen.map(\.connection) == [1, 1, 2])
        await server.stop()
    }

    @Test func aPatchOnAConnectionClosedUnderItFailsAndIsNotSentTwice() async throws {
        let server = try await ScriptedHTTPServer.start { _, request, _ in
            request == 2 ? .close : .answer(200, PooledHTTPTransportTests.namespace)
        }
        try await using(client(server)) { client in
            try await onOneLoop {
                let object = try await client.resource(.namespaces).get("default")
                #expect(object.name == "default")
                let error = await #expect(throws: KubeClientError.self) {
                    try await client.resource(.namespaces).patch("default", patch: .merge(["metadata": ["labels": ["a": "b"]]]))
                }
                #expect(error?.isTransport == true)
            }
        }
        #expect(server.seen.map(\.method) == ["GET", "PATCH"])
        await server.stop()
    }

    @Test func aServerThatNeverAnswersFailsTheRequestAtItsTimeout() async throws {
        let server = try await ScriptedHTTPServer.start { connection, _, _ in
            connection == 1 ? .silent : .answer(200, PooledHTTPTransportTests.namespace)
        }
        try await using(client(server, timeout: .milliseconds(300))) { client in
            try await onOneLoop {
                let error = await #expect(throws: KubeClientError.self) { try await client.resource(.namespaces).get("default") }
                #expect(error?.isTransport == true)
                #expect(error?.description.contains("no answer within") == true)
                // The connection that timed out is not reused: the next request opens another.
                let object = try await client.resource(.namespaces).get("default")
                #expect(object.name == "default")
            }
        }
        #expect(server.connections == 2)
        await server.stop()
    }

    @Test func aConnectionIdleLongerThanTheIdleTimeoutIsClosedAndTheNextRequestOpensAnother() async throws {
        let server = try await ScriptedHTTPServer.start { _, _, _ in .answer(200, PooledHTTPTransportTests.namespace) }
        try await using(client(server, idle: .milliseconds(200))) { client in
            try await onOneLoop {
                let first = try await client.resource(.namespaces).get("default")
                #expect(first.name == "default")
            }
            // Closed by the client's sweep, with no request to trigger it. The bound is generous: in the full
            // suite the shared event loops are busy, and the sweep and the server's read of the close wait for them.
            let deadline = ContinuousClock.now + .seconds(120)
            while server.closedConnections == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.closedConnections == 1)
            try await onOneLoop {
                let second = try await client.resource(.namespaces).get("default")
                #expect(second.name == "default")
            }
        }
        #expect(server.seen.map(\.connection) == [1, 2])
        await server.stop()
    }

    @Test func cancellingTheTaskEndsItsRequest() async throws {
        let server = try await ScriptedHTTPServer.start { _, _, _ in .silent }
        try await using(client(server)) { client in
            let request = Task { try await client.resource(.namespaces).get("default") }
            while server.seen.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
            request.cancel()
            await #expect(throws: (any Error).self) { try await request.value }
        }
        await server.stop()
    }

    @Test func aHeaderValueWithALineBreakIsRefusedBeforeAnythingIsSent() async throws {
        let server = try await ScriptedHTTPServer.start { _, _, _ in .answer(200, PooledHTTPTransportTests.namespace) }
        try await using(client(server, token: "abc\r\nX-Injected: yes")) { client in
            let error = await #expect(throws: KubeClientError.self) { try await client.resource(.namespaces).get("default") }
            #expect(error?.description.contains("the value of header Authorization holds a line break") == true)
        }
        #expect(server.seen.isEmpty)
        await server.stop()
    }
}
