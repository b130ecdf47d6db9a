import Foundation
import NIOHTTP1
@testable import OutboundHTTP
import Testing

/// One deadline covers a whole outbound call, body included: a server that sends its headers and then stalls
/// or trickles its body fails the call at the deadline, frees the connection, and starves no other request,
/// to another host or to the same one.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "wall-clock deadlines of about 1 s; make test runs it alone")) struct OutboundDeadlineTests
{
    let http = OutboundHTTP(proxies: ProxySettings())

    @Test func aBodyThatStallsAfterTheHeadersFailsAtTheDeadlineAndFreesTheConnection() async throws {
        try await SlowServer.with(stall: .seconds(30)) { server in
            let failure = await timedFailure(http, "\(server.url)/stall", timeout: .seconds(1))
            #expect(failure.error?.reason == "timed out after 1s")
            #expect(failure.elapsed < .seconds(10), "the call waited \(failure.elapsed) on a 30 s stall")
            try await waitUntil("the client closes the stalled connection") { server.counts.closedMidAnswer == 1 }
        }
    }

    @Test func aBodyThatTricklesFailsAtTheDeadline() async throws {
        try await SlowServer.with(trickleInterval: .milliseconds(200)) { server in  // 1000 bytes: 200 s
            let failure = await timedFailure(http, "\(server.url)/trickle", timeout: .seconds(1))
            #expect(failure.error?.reason == "timed out after 1s")
            #expect(failure.elapsed < .seconds(10), "the call waited \(failure.elapsed) on a trickle")
            try await waitUntil("the client closes the trickling connection") { server.counts.closedMidAnswer == 1 }
        }
    }

    @Test func throughAForwardProxyTheDeadlineCoversTheBodyToo() async throws {
        try await SlowServer.with(stall: .seconds(30)) { proxy in
            let proxied = OutboundHTTP(proxies: ProxySettings(httpProxy: URL(string: proxy.url)))
            let failure = await timedFailure(proxied, "http://prometheus.example:9090/stall", timeout: .seconds(1))
            #expect(failure.error?.reason == "timed out after 1s")
            #expect(failure.elapsed < .seconds(10))
            #expect(proxy.counts.requests["/stall"] == 1)
            try await waitUntil("the client closes the proxy connection") { proxy.counts.closedMidAnswer == 1 }
        }
    }

    /// More stalled calls to one host than `HTTPClient.shared`'s 8 connections per host: a healthy path of
    /// the same host and another host both answer meanwhile, and cancelling the stalled calls ends them.
    @Test func stalledCallsStarveNeitherTheSameHostNorAnother() async throws {
        try await SlowServer.with(stall: .seconds(30)) { slow in
            try await SlowServer.with { healthy in
                try await stalledCalls(to: slow, healthy: healthy)
            }
        }
    }

    private func stalledCalls(to slow: SlowServer, healthy: SlowServer) async throws {
        let stalled = 12
        let calls = Task { [http] in
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<stalled {
                    group.addTask { _ = try? await http.send(.GET, "\(slow.url)/stall", timeout: .seconds(30)) }
                }
            }
        }
        defer { calls.cancel() }
        try await waitUntil("\(stalled) stalled calls reach the server") { slow.counts.requests["/stall"] == stalled }
        let sameHost = try await http.send(.GET, "\(slow.url)/ok", timeout: .seconds(2))
        let otherHost = try await http.send(.GET, "\(healthy.url)/ok", timeout: .seconds(2))
        #expect(sameHost.status == 200 && sameHost.text == "ok")
        #expect(otherHost.status == 200 && otherHost.text == "ok")
        let start = ContinuousClock.now
        calls.cancel()
        await calls.value
        #expect(ContinuousClock.now - start < .seconds(10), "cancelled calls kept waiting on the stall")
        try await waitUntil("the stalled connections close") { slow.counts.closedMidAnswer == stalled }
    }

    @Test func aTimeoutIsWorded() {
        #expect(OutboundHTTP.describe(.seconds(5)) == "5s")
        #expect(OutboundHTTP.describe(.milliseconds(1500)) == "1.5s")
        #expect(OutboundHTTP.describe(.milliseconds(250)) == "250ms")
    }

    @Test func anAnswerWithinTheDeadlineIsReadWhole() async throws {
        try await SlowServer.with(trickleInterval: .zero) { server in
            let response = try await http.send(.GET, "\(server.url)/trickle", timeout: .seconds(10))
            #expect(response.status == 200 && response.body.count == 1000)
        }
    }
}

/// Sends a GET that must fail; returns its error and how long it took.
func timedFailure(_ http: OutboundHTTP, _ url: String, timeout: Duration) async -> (error: OutboundHTTPError?, elapsed: Duration) {
    let start = ContinuousClock.now
    do {
        let response = try await http.send(.GET, url, timeout: timeout)
        Issue.record("the call succeeded with \(response.status) after \(ContinuousClock.now - start)")
        return (nil, ContinuousClock.now - start)
    } catch {
        return (error, ContinuousClock.now - start)
    }
}

/// Waits until `condition` holds, for at most `limit`; records an issue naming `what` if it never does.
func waitUntil(_ what: String, within limit: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let end = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < end else {
            Issue.record("timed out waiting until \(what)")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
