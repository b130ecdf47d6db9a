import Foundation
import KubeClient
import KubeCore
import Testing

func statusJSON(code: Int, reason: String, message: String = "m", causes: String = "") -> String {
    let details = causes.isEmpty ? "" : #","details":{"causes":[\#(causes)]}"#
    return #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"\#(reason)","message":"\#(message)","code":\#(code)\#(details)}"#
}

@Suite struct ErrorHandlingTests {
    @Test(arguments: [
        (404, "NotFound", KubeAPIError.Reason.notFound), (409, "AlreadyExists", .alreadyExists), (409, "Conflict", .conflict),
        (410, "Expired", .gone), (403, "Forbidden", .forbidden), (401, "Unauthorized", .unauthorized),
        (400, "BadRequest", .badRequest), (500, "InternalError", .serverError),
    ])
    func statusAnswersBecomeTypedErrors(code: Int, reason: String, expected: KubeAPIError.Reason) async throws {
        try await withTestServer(handler: { _ in .json(statusJSON(code: code, reason: reason), status: code) }) { server in
            let error = await #expect(throws: KubeAPIError.self) {
                try await using(server.client()) { try await $0.resource(.configMaps).get("x", namespace: "demo") }
            }
            #expect(error?.reason == expected)
            #expect(error?.description.hasPrefix("failed to GET http://127.0.0.1:\(server.port)/api/v1/namespaces/demo/configmaps/x") == true)
        }
    }

    @Test func invalidCarriesTheFieldCauses() async throws {
        let causes = #"{"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}"#
        try await withTestServer(handler: { _ in .json(statusJSON(code: 422, reason: "Invalid", causes: causes), status: 422) }) { server in
            let error = await #expect(throws: KubeAPIError.self) {
                try await using(server.client()) { try await $0.resource(.deployments).create(DynamicObject(json: [:]), namespace: "demo") }
            }
            #expect(error?.reason == .invalid)
            #expect(error?.causes.first?.field == "spec.selector")
        }
    }

    @Test func aBodyThatIsNotAStatusStillGivesATypedError() async throws {
        try await withTestServer(handler: { _ in CannedResponse(status: 503, chunks: ["upstream unavailable"]) }) { server in
            let error = await #expect(throws: KubeAPIError.self) {
                try await using(server.client()) { try await $0.resource(.configMaps).get("x", namespace: "demo") }
            }
            #expect(error?.reason == .serverError)
            #expect(error?.status.message == "upstream unavailable")
        }
    }

    @Test func tooManyRequestsIsRetriedAfterTheServersRetryAfter() async throws {
        let attempts = Counter()
        let slept = Recorder<Duration>()
        try await withTestServer(handler: { _ in
            await attempts.increment() <= 2
                ? .json(statusJSON(code: 429, reason: "TooManyRequests"), status: 429, headers: ["Retry-After": "2"])
                : .json(#"{"metadata":{"name":"x"}}"#)
        }) { server in
            let object = try await using(server.client(sleep: { await slept.append($0) })) { client in
                try await client.resource(.configMaps).get("x", namespace: "demo")
            }
            #expect(object.name == "x")
            #expect(await attempts.value == 3)
            #expect(await slept.values == [.seconds(2), .seconds(2)])
        }
    }

    @Test func tooManyRequestsGivesUpAfterTheRetryBudget() async throws {
        try await withTestServer(handler: { _ in
            .json(statusJSON(code: 429, reason: "TooManyRequests"), status: 429, headers: ["Retry-After": "1"])
        }) { server in
            let error = await #expect(throws: KubeAPIError.self) {
                try await using(server.client(sleep: { _ in })) { try await $0.resource(.configMaps).get("x", namespace: "demo") }
            }
            #expect(error?.reason == .tooManyRequests && error?.retryAfter == .seconds(1))
            #expect(await server.requests.count == KubeClient.maximumRetries + 1)
        }
    }

    @Test func anUnreachableServerFailsFastNamingTheURL() async throws {
        var configuration = ClientConfiguration(server: URL(string: "http://127.0.0.1:1")!, source: "test")
        configuration.connectTimeout = .seconds(1)
        configuration.requestTimeout = .seconds(120)
        let started = ContinuousClock.now
        let error = await #expect(throws: KubeClientError.self) {
            try await using(KubeClient(configuration: configuration)) { try await $0.resource(.namespaces).get("default") }
        }
        #expect(error?.isTransport == true)
        #expect(error?.description.contains("GET http://127.0.0.1:1/api/v1/namespaces/default") == true)
        #expect(ContinuousClock.now - started < .seconds(60), "the connect deadline ends it, not the 120 s request deadline")
    }
}

actor Counter {
    var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}

actor Recorder<T: Sendable> {
    var values: [T] = []
    func append(_ value: T) { values.append(value) }
}
