import CanaryAPI
import Foundation
import KubeAPIServer
import KubeCore
import Logging
@testable import MetricProviders
import OutboundHTTP
import SerinTesting
import Testing

/// `provider.insecureSkipVerify`: off, a provider behind a self-signed certificate is refused; on, it answers.
@Suite struct InsecureSkipVerifyTests {
    @Test func aSelfSignedProviderIsRefusedUnlessTheTemplateSkipsVerification() async throws {
        let certificate = try await SandboxCertificate.make()
        let standIn = DatadogStandIn(apiKey: "k-api", applicationKey: "k-app") { _ in 12 }
        let server = try await LoopbackServer.start(
            standIn.responder, port: 0, tls: certificate.serverConfiguration, logger: Logger(label: "test.tls"))
        let secret = ["datadog_api_key": "k-api", "datadog_application_key": "k-app"]
        var config = MetricProviderConfig(address: "https://127.0.0.1:\(server.port)", secret: secret, http: OutboundHTTP(proxies: ProxySettings()))
        let verifying = try DatadogProvider(config: config)
        let error = await #expect(throws: MetricError.self) { try await verifying.query("avg:x{*}") }
        #expect(
            error?.message.hasPrefix("datadog: failed to query https://127.0.0.1:\(server.port)/api/v1/query:") == true,
            "\(String(describing: error))")
        #expect(standIn.state.requests.isEmpty, "nothing was sent over the unverified connection")

        config.http.verifiesCertificates = false
        #expect(try await DatadogProvider(config: config).query("avg:x{*}") == 12)
        await server.stop()
    }
}
