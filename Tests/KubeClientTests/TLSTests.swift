import Foundation
import KubeClient
import KubeCore
import NIOSSL
import Testing

@Suite(.serialized) struct TLSTests {
    static let okNamespace: @Sendable (RecordedRequest) async -> CannedResponse = { _ in .json(#"{"metadata":{"name":"default"}}"#) }

    func certificates(_ pem: String) throws -> [NIOSSLCertificate] { try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) }

    /// GETs the namespace `default`. A handshake that should fail gets a short `connectTimeout`; one that should
    /// succeed gets a long one, as a loaded machine may need it.
    func fetch(_ server: TestAPIServer, tls: TLSSettings, connectTimeout: Duration = .seconds(30)) async throws -> DynamicObject {
        var configuration = ClientConfiguration(server: server.url, tls: tls, source: "test")
        configuration.connectTimeout = connectTimeout
        configuration.requestTimeout = .seconds(120)
        return try await using(KubeClient(configuration: configuration)) { try await $0.resource(.namespaces).get("default") }
    }

    @Test func theServerIsVerifiedAgainstTheConfiguredCA() async throws {
        let pki = try await TestPKI.shared.get()
        try await withTestServer(tls: try pki.serverTLS(), handler: TLSTests.okNamespace) { server in
            let object = try await fetch(server, tls: TLSSettings(trustRoots: try certificates(pki.caCertificate)))
            #expect(object.name == "default")
        }
    }

    @Test func theWrongCAFailsFastWithATransportError() async throws {
        let pki = try await TestPKI.shared.get()
        try await withTestServer(tls: try pki.serverTLS(), handler: TLSTests.okNamespace) { server in
            let started = ContinuousClock.now
            let error = await #expect(throws: KubeClientError.self) {
                try await fetch(server, tls: TLSSettings(trustRoots: try certificates(pki.otherCACertificate)), connectTimeout: .seconds(1))
            }
            #expect(error?.isTransport == true)
            #expect(error?.description.contains("https://127.0.0.1:\(server.port)/api/v1/namespaces/default") == true)
            #expect(ContinuousClock.now - started < .seconds(60), "a bad certificate must not be retried for the whole 120 s request deadline")
            #expect(await server.requests.isEmpty)
        }
    }

    @Test func insecureSkipVerifyAcceptsAnyCertificate() async throws {
        let pki = try await TestPKI.shared.get()
        try await withTestServer(tls: try pki.serverTLS(), handler: TLSTests.okNamespace) { server in
            let object = try await fetch(server, tls: TLSSettings(insecureSkipVerify: true))
            #expect(object.name == "default")
        }
    }

    @Test func tlsServerNameIsTheNameVerified() async throws {
        let pki = try await TestPKI.shared.get()
        try await withTestServer(tls: try pki.serverTLS(named: true), handler: TLSTests.okNamespace) { server in
            let roots = try certificates(pki.caCertificate)
            await #expect(throws: KubeClientError.self, "the certificate names kube.test, not 127.0.0.1") {
                try await fetch(server, tls: TLSSettings(trustRoots: roots), connectTimeout: .seconds(1))
            }
            let object = try await fetch(server, tls: TLSSettings(trustRoots: roots, serverName: "kube.test"))
            #expect(object.name == "default")
        }
    }

    @Test(arguments: ["rsa-pkcs1", "rsa-pkcs8", "ec"])
    func clientCertificatesAuthenticateThroughAKubeconfig(keyKind: String) async throws {
        let pki = try await TestPKI.shared.get()
        let pair = try #require(pki.clients[keyKind])
        #expect(pair.key.contains(keyKind == "rsa-pkcs1" ? "BEGIN RSA PRIVATE KEY" : keyKind == "ec" ? "BEGIN EC PRIVATE KEY" : "BEGIN PRIVATE KEY"))
        try await withTestServer(tls: try pki.serverTLS(requireClientCertificate: true), handler: TLSTests.okNamespace) { server in
            let folder = try TemporaryFolder()
            let file = try folder.write(
                "config",
                kubeconfig(
                    user: "client-certificate-data: \(base64(pair.certificate))\nclient-key-data: \(base64(pair.key))",
                    server: server.url.absoluteString, cluster: "certificate-authority-data: \(base64(pki.caCertificate))"))
            let configuration = try KubeconfigLoader(files: [file]).configuration()
            let object = try await using(KubeClient(configuration: configuration)) { try await $0.resource(.namespaces).get("default") }
            #expect(object.name == "default")
        }
    }

    @Test func withoutAClientCertificateTheHandshakeIsRefused() async throws {
        let pki = try await TestPKI.shared.get()
        try await withTestServer(tls: try pki.serverTLS(requireClientCertificate: true), handler: TLSTests.okNamespace) { server in
            await #expect(throws: KubeClientError.self) {
                try await fetch(server, tls: TLSSettings(trustRoots: try certificates(pki.caCertificate)), connectTimeout: .seconds(1))
            }
            #expect(await server.requests.isEmpty)
        }
    }
}
