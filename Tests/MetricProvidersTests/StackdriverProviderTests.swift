import CanaryAPI
import Foundation
import KubeCore
@testable import MetricProviders
import OutboundHTTP
import SerinTesting
import Testing

/// The Google JWT against a known key, and the Stackdriver provider's token and query requests.
@Suite struct StackdriverProviderTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VendorClients/google")

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func theServiceAccountJWTIsTheOneOpenSSLSignedWithTheSameKey() throws {
        let account = try GoogleServiceAccount(json: try Self.fixture("service-account.json"))
        let jwt = try account.assertion(now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(jwt == (try Self.fixture("expected.jwt")).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func config(_ port: Int, secret: [String: String]) -> MetricProviderConfig {
        MetricProviderConfig(
            address: "http://127.0.0.1:\(port)", secret: secret, http: OutboundHTTP(proxies: ProxySettings()),
            environment: ["GCE_METADATA_HOST": "127.0.0.1:\(port)"])
    }

    @Test func aServiceAccountKeyIsExchangedForATokenThatQueriesTheProjectsMQL() async throws {
        var key = try JSONValue(parsing: try Self.fixture("service-account.json"))
        let standIn = try GoogleMonitoringStandIn(
            project: "serin-tests", email: "serin-test@serin-tests.iam.gserviceaccount.com", publicKeyPEM: try Self.fixture("pub.pem")
        ) { mql in mql.contains("podinfo") ? 12.5 : nil }
        try await StubServer.serve(standIn.responder) { port in
            key["token_uri"] = .string("http://127.0.0.1:\(port)/token")
            let secret = ["project": "serin-tests", "serviceAccountKey": String(decoding: key.serialized(), as: UTF8.self)]
            let provider = try StackdriverProvider(config: Self.config(port, secret: secret))
            #expect(try await provider.query("fetch k8s_container | filter container == 'podinfo'") == 12.5)
            await #expect(throws: MetricError.noValues) { try await provider.query("fetch k8s_container | filter container == 'other'") }
            #expect(await provider.isOnline(), "an empty query is a 400 once authorised")
        }
        let requests = standIn.state.requests
        #expect(requests.filter { $0.path == "/token" }.count == 1, "the token is kept until it expires")
        let query = try #require(requests.first { $0.path.hasSuffix(":query") })
        #expect(query.method == "POST" && query.path == "/v3/projects/serin-tests/timeSeries:query")
        #expect(query.headers["authorization"] == "Bearer ya29.standin-token")
        #expect(try JSONValue(parsing: query.body) == ["query": "fetch k8s_container | filter container == 'podinfo'"])
    }

    @Test func withoutAKeyTheMetadataServersTokenIsUsed() async throws {
        let standIn = try GoogleMonitoringStandIn(project: "p-\(UUID().uuidString.prefix(8).lowercased())") { _ in 3 }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try StackdriverProvider(config: Self.config(port, secret: ["project": standIn.project]))
            #expect(try await provider.query("fetch x") == 3)
        }
        let metadata = try #require(standIn.state.requests.first)
        #expect(metadata.path == "/computeMetadata/v1/instance/service-accounts/default/token" && metadata.headers["metadata-flavor"] == "Google")
    }

    @Test func aMissingProjectOrABrokenKeyIsRefused() {
        #expect(throws: MetricError.configuration("stackdriver credentials does not contain a project id")) {
            try StackdriverProvider(config: MetricProviderConfig(address: "", secret: [:]))
        }
        #expect(throws: MetricError.self) {
            try StackdriverProvider(config: MetricProviderConfig(address: "", secret: ["project": "p", "serviceAccountKey": "{}"]))
        }
    }
}
