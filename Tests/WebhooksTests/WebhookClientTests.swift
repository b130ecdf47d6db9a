import CanaryAPI
import Foundation
import HTTPTypes
import Hummingbird
import KubeAPIServer
import KubeCore
import Logging
import NIOCore
import OutboundHTTP
import Synchronization
import Testing
import Webhooks

/// What a receiver plans to answer and what it was sent.
final class ReceiverState: Sendable {
    let state: Mutex<(plan: [(Int, Duration)], bodies: [JSONValue])>
    init(plan: [(Int, Duration)]) { state = Mutex((plan, [])) }
}

/// A local receiver that answers each call with the next planned status (and optional delay).
final class Receiver: Sendable {
    let port: Int
    private let server: Task<Void, any Error>
    private let recorded: ReceiverState

    init(plan: [(Int, Duration)]) async throws {
        let recorded = ReceiverState(plan: plan)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let (status, delay) = recorded.state.withLock { state -> (Int, Duration) in
                state.bodies.append((try? JSONValue(parsing: Array(buffer: body))) ?? .null)
                return state.plan.isEmpty ? (200, .zero) : state.plan.removeFirst()
            }
            if delay > .zero { try await Task.sleep(for: delay) }
            return Response(status: .init(code: status), body: ResponseBody(byteBuffer: ByteBuffer(string: status == 200 ? "" : "gate closed")))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var quiet = Logger(label: "webhook-receiver")
        quiet.logLevel = .critical
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
        server = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
        self.recorded = recorded
    }

    var bodies: [JSONValue] { recorded.state.withLock { $0.bodies } }

    func stop() { server.cancel() }
}

func webhook(_ url: String, type: String? = nil, timeout: String? = nil, retries: Int? = nil) -> CanaryWebhook {
    var json: JSONValue = ["name": "gate", "url": .string(url), "metadata": ["cmd": "hey -z 1m http://podinfo-canary.test:9898/"]]
    json["type"] = type.map(JSONValue.string)
    json["timeout"] = timeout.map(JSONValue.string)
    json["retries"] = retries.map { JSONValue.int($0) }
    return try! json.decode(as: CanaryWebhook.self)
}

let canary: Canary = {
    var canary = Canary(metadata: ObjectMeta(name: "podinfo", namespace: "test"), spec: CanarySpec())
    var status = CanaryStatus(phase: .progressing)
    status.lastAppliedSpec = "abc"
    canary.status = status
    return canary
}()

@Suite struct WebhookClientTests {
    let client = WebhookClient(http: OutboundHTTP(proxies: ProxySettings()), sleep: { _ in })

    @Test func postsFlaggersPayload() async throws {
        let receiver = try await Receiver(plan: [(202, .zero)])
        defer { receiver.stop() }
        let hook = webhook("http://127.0.0.1:\(receiver.port)/", type: "pre-rollout")
        #expect(await client.call(hook, payload: WebhookPayload(canary: canary, webhook: hook, phase: .progressing)) == .success)
        let body = try #require(receiver.bodies.first)
        #expect(body["name"] == "podinfo" && body["namespace"] == "test" && body["phase"] == "Progressing" && body["type"] == "pre-rollout")
        #expect(body[path: "metadata", "cmd"] == "hey -z 1m http://podinfo-canary.test:9898/")
        #expect(body["checksum"]?.stringValue == WebhookPayload.checksum(canary.status))
    }

    @Test(arguments: [(200, true), (204, true), (299, true), (403, false), (500, false)])
    func anyTwoHundredIsASuccess(status: Int, succeeds: Bool) async throws {
        let receiver = try await Receiver(plan: [(status, .zero)])
        defer { receiver.stop() }
        let hook = webhook("http://127.0.0.1:\(receiver.port)/")
        let outcome = await client.call(hook, payload: WebhookPayload(canary: canary, webhook: hook, phase: .progressing))
        #expect((outcome == .success) == succeeds)
        if !succeeds { #expect(outcome == .failure("gate closed"), "the failure carries the answer's body") }
    }

    /// `disableTLS`: off, a receiver behind a self-signed certificate is refused before anything is sent; on, it
    /// is called, and the Canary is told that the certificate is not verified.
    @Test func aSelfSignedReceiverIsCalledOnlyWithDisableTLS() async throws {
        let calls = Mutex(0)
        let responder = CallbackResponder<BasicRequestContext> { _, _ in
            calls.withLock { $0 += 1 }
            return Response(status: .ok)
        }
        let certificate = try await SandboxCertificate.make()
        let server = try await LoopbackServer.start(responder, port: 0, tls: certificate.serverConfiguration, logger: Logger(label: "test.tls"))
        var hook = webhook("https://127.0.0.1:\(server.port)/")
        let refused = await client.call(hook, payload: WebhookPayload(canary: canary, webhook: hook, phase: .progressing))
        #expect(refused != .success && calls.withLock { $0 } == 0, "\(refused)")

        hook.disableTLS = true
        #expect(await client.call(hook, payload: WebhookPayload(canary: canary, webhook: hook, phase: .progressing)) == .success)
        #expect(calls.withLock { $0 } == 1)
        var insecure = canary
        insecure.spec.analysis = CanaryAnalysis()
        insecure.spec.analysis?.webhooks = [hook, webhook("http://plain.test/")]
        let warnings = WebhookClient.unverifiedTLS(insecure)
        #expect(
            warnings == [
                "webhook gate sets disableTLS: the TLS certificate of https://127.0.0.1:\(server.port)/ is not verified, so anyone on the path can answer it"
            ], "\(warnings)")
        await server.stop()
    }

    @Test func serverErrorsAreRetriedUpToRetriesWithBackOff() async throws {
        let receiver = try await Receiver(plan: [(500, .zero), (503, .zero), (200, .zero)])
        defer { receiver.stop() }
        let waits = Mutex<[Duration]>([])
        let client = WebhookClient(http: OutboundHTTP(proxies: ProxySettings()), sleep: { wait in waits.withLock { $0.append(wait) } })
        let hook = webhook("http://127.0.0.1:\(receiver.port)/", retries: 2)
        #expect(await client.call(hook, payload: WebhookPayload(canary: canary, webhook: hook, phase: .progressing)) == .success)
        #expect(receiver.bodies.count == 3)
        #expect(waits.withLock { $0 } == [.seconds(1), .seconds(2)])
        let closed = try await Receiver(plan: [(403, .zero), (200, .zero)])
        defer { closed.stop() }
        let gate = webhook("http://127.0.0.1:\(closed.port)/", retries: 2)
        #expect(
            await client.call(gate, payload: WebhookPayload(canary: canary, webhook: gate, phase: .progressing)) != .success,
            "a closed gate (4xx) is an answer, not retried")
        #expect(closed.bodies.count == 1)
    }

    @Test func aWebhookThatNeverAnswersIsCutAtItsTimeout() async throws {
        let receiver = try await Receiver(plan: [(200, .seconds(30))])
        defer { receiver.stop() }
        let hook = webhook("http://127.0.0.1:\(receiver.port)/", timeout: "1s")
        let started = ContinuousClock.now
        let outcome = await client.call(hook, payload: WebhookPayload(canary: canary, webhook: hook, phase: .progressing))
        #expect(outcome != .success)
        #expect(ContinuousClock.now - started < .seconds(29), "cut at the 1 s timeout, before the 30 s answer (generous: the machine may be busy)")
    }
}
