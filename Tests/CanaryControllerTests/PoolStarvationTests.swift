@testable import CanaryController
import Foundation
import Logging
import Synchronization
import Testing

/// The endpoints answer from a thread of their own, whatever Swift's concurrency pool is doing.
///
/// It blocks the whole pool, which would stall every test running beside it: `make test` runs it alone, in a
/// process of its own (`SERIN_ISOLATED_TESTS=1 swift test --filter PoolStarvationTests`).
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "blocks the concurrency pool; make test runs it alone"))
struct PoolStarvationTests {
    @Test func healthzAnswersWhileEveryThreadOfTheConcurrencyPoolIsBlocked() async throws {
        let health = OperatorHealth()
        let server = OperatorHTTPServer(
            metrics: OperatorMetrics(version: "test", meshProvider: "istio"), health: health, logger: Logger(label: "test"))
        let port = Atomic<Int>(0)
        let serving = Task { try await server.run(host: "127.0.0.1", port: 0) { port.store($0, ordering: .relaxed) } }
        defer { serving.cancel() }
        while port.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let bound = port.load(ordering: .relaxed)
        #expect(Self.get(port: bound, path: "/readyz")?.hasPrefix("HTTP/1.1 503") == true, "not ready before the caches sync")

        // Block every thread of the cooperative pool (and more tasks waiting for one) for 3 s, as a
        // reconcile stuck in synchronous work would.
        let blockers = ProcessInfo.processInfo.activeProcessorCount + 2
        for _ in 0..<blockers { Task.detached { usleep(3_000_000) } }
        usleep(200_000)  // this thread is one of the pool's: it blocks too, then asks
        let started = Date()
        let answer = Self.get(port: bound, path: "/healthz")
        let took = Date().timeIntervalSince(started)
        #expect(answer?.hasPrefix("HTTP/1.1 200 OK") == true && answer?.hasSuffix("\r\n\r\nOK") == true, "\(answer ?? "no answer")")
        #expect(took < 1.5, "answered in \(took) s while the pool was blocked for 3 s")
        let unknown = Self.get(port: bound, path: "/nope")
        #expect(unknown?.hasPrefix("HTTP/1.1 404") == true)
    }

    /// A blocking HTTP/1.1 GET on a socket of this thread (no Swift concurrency, no Foundation networking):
    /// the whole answer, or `nil` after 5 s.
    static func get(port: Int, path: String) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return received.isEmpty ? nil : String(decoding: received, as: UTF8.self)
    }
}
