import Foundation
import NIOSSL

/// Certificates made with openssl for the TLS tests: a CA, a server certificate for 127.0.0.1 and
/// localhost, one for the name `kube.test` only, client certificates with RSA PKCS#1, RSA PKCS#8 and EC
/// keys, and a second, unrelated CA.
struct TestPKI: Sendable {
    let folder: String
    let caCertificate: String
    let otherCACertificate: String
    let serverCertificate: String
    let serverKey: String
    let namedServerCertificate: String
    let clients: [String: (certificate: String, key: String)]

    /// The certificates, generated once on a thread of their own: a dozen openssl runs must not hold the
    /// shared pool's threads (on a 2-core machine that stalled every other test for seconds).
    static var shared: Result<TestPKI, any Error> {
        get async { await generation.value }
    }

    private static let generation = Task {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Result { try TestPKI.generate() }) }
        }
    }

    private static func generate() throws -> TestPKI {
        let folder = NSTemporaryDirectory() + "serin-pki-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func read(_ name: String) throws -> String { try String(contentsOfFile: folder + "/" + name, encoding: .utf8) }
        for ca in ["ca", "other-ca"] {
            try run(
                [
                    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(ca).key", "-out", "\(ca).crt",
                    "-days", "2", "-subj", "/CN=serin-\(ca)",
                ], in: folder)
        }
        try issue(
            "server", key: ["genpkey", "-algorithm", "RSA", "-out", "server.key"],
            subject: "/CN=server", san: "IP:127.0.0.1,DNS:localhost", in: folder)
        try issue(
            "named", key: ["genpkey", "-algorithm", "RSA", "-out", "named.key"],
            subject: "/CN=kube.test", san: "DNS:kube.test", in: folder)
        try issue("rsa-pkcs1", key: ["genrsa", "-traditional", "-out", "rsa-pkcs1.key", "2048"], subject: "/CN=alice", san: nil, in: folder)
        try issue("rsa-pkcs8", key: ["genpkey", "-algorithm", "RSA", "-out", "rsa-pkcs8.key"], subject: "/CN=bob", san: nil, in: folder)
        try issue("ec", key: ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key"], subject: "/CN=carol", san: nil, in: folder)
        var clients: [String: (String, String)] = [:]
        for name in ["rsa-pkcs1", "rsa-pkcs8", "ec"] { clients[name] = (try read("\(name).crt"), try read("\(name).key")) }
        return TestPKI(
            folder: folder, caCertificate: try read("ca.crt"), otherCACertificate: try read("other-ca.crt"),
            serverCertificate: try read("server.crt"), serverKey: try read("server.key"),
            namedServerCertificate: try read("named.crt"), clients: clients)
    }

    private static func issue(_ name: String, key: [String], subject: String, san: String?, in folder: String) throws {
        try run(["openssl"] + key, in: folder)
        try run(["openssl", "req", "-new", "-key", "\(name).key", "-out", "\(name).csr", "-subj", subject], in: folder)
        var sign = [
            "openssl", "x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "\(name).crt", "-days", "2",
        ]
        if let san {
            try "subjectAltName=\(san)\n".write(toFile: "\(folder)/\(name).ext", atomically: true, encoding: .utf8)
            sign += ["-extfile", "\(name).ext"]
        }
        try run(sign, in: folder)
    }

    /// A server configuration; with `requireClientCertificate` the handshake needs a certificate signed by the CA.
    func serverTLS(named: Bool = false, requireClientCertificate: Bool = false) throws -> TLSConfiguration {
        let certificate = named ? namedServerCertificate : serverCertificate
        let key = named ? try String(contentsOfFile: folder + "/named.key", encoding: .utf8) : serverKey
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)))
        if requireClientCertificate {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caCertificate.utf8)))
        }
        return tls
    }
}
