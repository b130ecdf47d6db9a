import ChildProcesses
import Foundation
import NIOSSL

/// The self-signed certificate the API server serves TLS with when access control is on: kubectl sends a
/// bearer token only over TLS. Made with `openssl` (EC P-256, for 127.0.0.1 and localhost, two days).
public struct SandboxCertificate: Sendable {
    public let certificatePEM: String
    public let serverConfiguration: TLSConfiguration
    public let certificate: NIOSSLCertificate

    public static func make() async throws -> SandboxCertificate {
        let folder = NSTemporaryDirectory() + "serin-sandbox-tls-" + UUID().uuidString
        let step = "make the sandbox's TLS certificate with openssl"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let command = Command(
                "openssl",
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", folder + "/tls.key", "-out", folder + "/tls.crt", "-days", "2", "-subj", "/CN=serin-sandbox",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,digitalSignature,keyCertSign", "-addext", "extendedKeyUsage=serverAuth",
                ])
            // posix_spawn through Command: Foundation's Process.run() can crash a process with many open files.
            let result = try await command.run(within: .seconds(120))
            guard result.status == 0 else { throw SandboxError(step: step, reason: "openssl exited \(result.status): \(result.stderr)") }
            let pem = try String(contentsOfFile: folder + "/tls.crt", encoding: .utf8)
            let certificate = try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem)
            let key = try NIOSSLPrivateKey(file: folder + "/tls.key", format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
            return SandboxCertificate(certificatePEM: pem, serverConfiguration: configuration, certificate: certificate)
        } catch let error as SandboxError {
            throw error
        } catch {
            throw SandboxError(step: step, reason: "\(error)")
        }
    }
}
