import CanaryAPI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Notifiers
import NIOCore
import OutboundHTTP
import Synchronization
import Testing
import Webhooks

/// A receiver that answers 200 at once with its headers and the first byte of its body, then either stalls
/// (nothing more for 30 s) or trickles the rest (one byte every 200 ms, 200 s in all): only a deadline on
/// the whole call, body included, ends such a call in time.
final class SlowReceiver: Sendable {
    enum Pace: Sendable { case stall, trickle }

    let port: Int
    private let server: Task<Void, any Error>
    private let calls: Calls

    /// Calls received so far.
    final class Calls: Sendable { let count = Mutex(0) }

    init(_ pace: Pace) async throws {
        let calls = Calls()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            _ = try await request.collectBody(upTo: 1 << 20)
            calls.count.withLock { $0 += 1 }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "{"))
                    switch pace {
                    case .stall: try await Task.sleep(for: .seconds(30))
                    case .trickle:
                        for _ in 0..<1000 {
                            try await Task.sleep(for: .milliseconds(200))
                            try await writer.write(ByteBuffer(string: " "))
                        }
                    }
                    try await writer.write(ByteBuffer(string: "}"))
                    try await writer.finish(nil)
                })
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var quiet = Logger(label: "slow-receiver")
        quiet.logLevel = .critical
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
        server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
        self.calls = calls
    }

    var url: String { "http://127.0.0.1:\(port)/" }
    var callCount: Int { calls.count.withLock { $0 } }

    func stop() { server.cancel() }
}

@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "wall-clock deadlines of about 1 s; make test runs it alone")) struct SlowAnswerTests
{
    @Test func aWebhookWhoseAnswerStallsFailsAtItsTimeout() async throws {
        let receiver = try await SlowReceiver(.stall)
        defer { receiver.stop() }
        let client = WebhookClient(http: OutboundHTTP(proxies: ProxySettings()), sleep: { _ in })
        let hook = webhook(receiver.url, type: "pre-rollout", timeout: "1s")
        let started = ContinuousClock.now
        let outcome = await client.call(hook, payload: WebhookPayload(canary: canary, webhook: hook, phase: .progressing))
        let elapsed = ContinuousClock.now - started
        guard case .failure(let reason) = outcome else {
            Issue.record("a stalled answer counted as success after \(elapsed)")
            return
        }
        #expect(reason.hasSuffix("timed out after 1s"), "\(reason)")
        #expect(elapsed < .seconds(10), "the call waited \(elapsed) on a 30 s stall")
        #expect(receiver.callCount == 1)
    }

    @Test func aWebhookWhoseAnswerStallsIsRetriedAndStillFails() async throws {
        let receiver = try await SlowReceiver(.stall)
        defer { receiver.stop() }
        let client = WebhookClient(http: OutboundHTTP(proxies: ProxySettings()), sleep: { _ in })
        let hook = webhook(receiver.url, type: "event", timeout: "1s", retries: 1)
        let outcome = await client.call(hook, payload: WebhookPayload(canary: canary, webhook: hook, phase: .progressing))
        #expect(outcome != .success)
        #expect(receiver.callCount == 2, "a timeout is worth another attempt, as a refused connection is")
    }

    @Test func anAlertWhoseAnswerTricklesFailsWithinTheNotifiersDeadline() async throws {
        let receiver = try await SlowReceiver(.trickle)
        defer { receiver.stop() }
        let notifier = try SlackNotifier(NotifierConfig(address: "\(receiver.url)services/T0/B0/secret-path"))
        let alert = Alert(canary: "podinfo", namespace: "test", message: "New revision detected", severity: .info)
        let started = ContinuousClock.now
        do {
            try await notifier.post(alert)
            Issue.record("a trickled answer counted as sent after \(ContinuousClock.now - started)")
        } catch let error as NotifierError {
            #expect(error.retryable)
            #expect(error.message == "sending notification failed: the receiver did not answer within 5s")
            #expect(!error.message.contains("secret-path"), "the address is a secret")
        }
        #expect(ContinuousClock.now - started < .seconds(10), "the post took \(ContinuousClock.now - started)")
    }
}
